// What the host needs, as data: each tool with how to detect it and the Debian package that provides it.

export interface Requirement {
  readonly name: string;
  /** A command on PATH or an absolute file path that must exist. */
  readonly probe: { readonly command: string; readonly versionArgs?: readonly string[] } | { readonly file: string };
  readonly package: string;
  /** apt target release for the package (qemu 10.x comes from bookworm-backports). */
  readonly target?: string;
  /** The lowest version that works (compared with the first x.y[.z] of the version output). */
  readonly minVersion?: string;
  readonly why: string;
}

export const REQUIREMENTS: readonly Requirement[] = [
  { name: 'aarch64 gcc', probe: { command: 'aarch64-linux-gnu-gcc', versionArgs: ['--version'] }, package: 'gcc-aarch64-linux-gnu', why: 'cross-compiles the kernel and the selftests' },
  { name: 'aarch64 binutils', probe: { command: 'aarch64-linux-gnu-addr2line', versionArgs: ['--version'] }, package: 'binutils-aarch64-linux-gnu', why: 'links the kernel; addr2line symbolises selftest backtraces' },
  // A recommends of the cross gcc, so --no-install-recommends leaves it out: without it the selftests
  // compile against the host's x86 headers and fail on bits/wordsize.h.
  { name: 'arm64 libc headers', probe: { file: '/usr/aarch64-linux-gnu/include/stdio.h' }, package: 'libc6-dev-arm64-cross', why: 'the selftests are built and linked statically against arm64 glibc' },
  { name: 'make', probe: { command: 'make', versionArgs: ['--version'] }, package: 'make', why: 'kernel build' },
  { name: 'flex', probe: { command: 'flex', versionArgs: ['--version'] }, package: 'flex', why: 'kconfig' },
  { name: 'bison', probe: { command: 'bison', versionArgs: ['--version'] }, package: 'bison', why: 'kconfig' },
  { name: 'bc', probe: { command: 'bc', versionArgs: ['--version'] }, package: 'bc', why: 'kernel build (timeconst)' },
  { name: 'libssl-dev', probe: { file: '/usr/include/openssl/ssl.h' }, package: 'libssl-dev', why: 'kernel host tools' },
  { name: 'libelf-dev', probe: { file: '/usr/include/gelf.h' }, package: 'libelf-dev', why: 'kernel host tools (objtool, resolve_btfids)' },
  { name: 'cpio', probe: { command: 'cpio', versionArgs: ['--version'] }, package: 'cpio', why: 'inspecting initramfs archives' },
  { name: 'xz', probe: { command: 'xz', versionArgs: ['--version'] }, package: 'xz-utils', why: 'unpacks Debian\'s kernel source tarball' },
  { name: 'rsync', probe: { command: 'rsync', versionArgs: ['--version'] }, package: 'rsync', why: 'kernel headers_install for ad-hoc use' },
  { name: 'perl', probe: { file: '/usr/share/perl/5.36/Term/ANSIColor.pm' }, package: 'perl', why: 'runs the tree\'s scripts/checkpatch.pl in `ci` (perl-base alone lacks its modules)' },
  { name: 'git', probe: { command: 'git', versionArgs: ['--version'] }, package: 'git', why: 'the kernel workspace, series application, bisect' },
  { name: 'bwrap', probe: { command: 'bwrap', versionArgs: ['--version'] }, package: 'bubblewrap', why: 'the sandbox the tree\'s and the series\' code runs in: kernel config and build, headers, selftests, checkpatch, W=1 (util/sandbox.ts)' },
  { name: 'dpkg-deb', probe: { command: 'dpkg-deb', versionArgs: ['--version'] }, package: 'dpkg', why: 'unpacks Debian packages for the source and the guest image' },
  { name: 'dropbearkey', probe: { command: 'dropbearkey' }, package: 'dropbear-bin', why: 'makes the guest\'s SSH host key on the host' },
  { name: 'gdb-multiarch', probe: { command: 'gdb-multiarch', versionArgs: ['--version'] }, package: 'gdb-multiarch', why: 'attaches to the L1 through QEMU\'s gdb stub (repro.sh --gdb, and the test that backtraces the L1)' },
  { name: 'genhtml', probe: { command: 'genhtml', versionArgs: ['--version'] }, package: 'lcov', why: '--coverage: the HTML report of the lcov tracefile (the cross gcov itself comes with gcc-aarch64-linux-gnu)' },
  { name: 'ssh', probe: { command: 'ssh', versionArgs: ['-V'] }, package: 'openssh-client', why: 'repro.sh reaches the L1 with plain OpenSSH' },
  { name: 'b4', probe: { command: 'b4', versionArgs: ['--version'] }, package: 'b4', why: '--series msgid:<Message-ID> fetches a thread from a public-inbox archive (and the bot every series it tests)' },
  { name: 'qemu-system-aarch64', probe: { command: 'qemu-system-aarch64', versionArgs: ['--version'] }, package: 'qemu-system-arm', target: 'bookworm-backports', why: 'boots the L1 (10.x from bookworm-backports; 7.2 works too)' },
  // Building the project's QEMU (qemu/): a minimal aarch64-softmmu build needs these and nothing else.
  { name: 'cc', probe: { command: 'cc', versionArgs: ['--version'] }, package: 'gcc', why: 'builds the project\'s QEMU' },
  { name: 'meson', probe: { command: 'meson', versionArgs: ['--version'] }, package: 'meson', target: 'bookworm-backports', minVersion: '1.5', why: 'QEMU 10\'s configure needs meson >= 1.5 (bookworm has 1.0)' },
  { name: 'ninja', probe: { command: 'ninja', versionArgs: ['--version'] }, package: 'ninja-build', why: 'builds the project\'s QEMU' },
  { name: 'pycotap', probe: { file: '/usr/lib/python3/dist-packages/pycotap/__init__.py' }, package: 'python3-pycotap', target: 'bookworm-backports', why: 'QEMU\'s configure checks for it in its venv' },
  { name: 'python3-venv', probe: { file: '/usr/lib/python3.11/ensurepip/__init__.py' }, package: 'python3-venv', why: 'QEMU\'s configure makes a venv with Debian\'s python3' },
  { name: 'pkg-config', probe: { command: 'pkg-config', versionArgs: ['--version'] }, package: 'pkgconf', why: 'QEMU\'s configure finds its libraries with it' },
  { name: 'bzip2', probe: { command: 'bzip2', versionArgs: ['--help'] }, package: 'bzip2', why: 'QEMU\'s meson unpacks firmware images with it' },
  { name: 'glib headers', probe: { file: '/usr/include/glib-2.0/glib.h' }, package: 'libglib2.0-dev', why: 'builds the project\'s QEMU' },
  { name: 'zlib headers', probe: { file: '/usr/include/zlib.h' }, package: 'zlib1g-dev', why: 'builds the project\'s QEMU' },
  { name: 'libfdt headers', probe: { file: '/usr/include/libfdt.h' }, package: 'libfdt-dev', why: 'the virt machine builds its device tree with libfdt' },
  { name: 'libseccomp headers', probe: { file: '/usr/include/seccomp.h' }, package: 'libseccomp-dev', why: 'the project\'s QEMU runs with -sandbox on (its seccomp filter), which needs --enable-seccomp' },
  { name: 'libslirp headers', probe: { file: '/usr/include/slirp/libslirp.h' }, package: 'libslirp-dev', why: '-netdev user (the SSH forward) in the project\'s QEMU' },
  { name: 'UEFI firmware', probe: { file: '/usr/share/qemu-efi-aarch64/QEMU_EFI.fd' }, package: 'qemu-efi-aarch64', why: 'ACPI (and ras=on\'s HEST) only reach the kernel through UEFI' },
];

/** What only the test suite needs (`doctor --install --tests`, run by `make test`): the bot's real servers. */
export const TEST_REQUIREMENTS: readonly Requirement[] = [
  { name: 'public-inbox', probe: { command: 'public-inbox-httpd', versionArgs: ['--help'] }, package: 'public-inbox', why: 'the bot test\'s mailing-list archive (public-inbox-init, -mda, -httpd), what lore runs' },
  { name: 'aiosmtpd', probe: { file: '/usr/lib/python3/dist-packages/aiosmtpd/__init__.py' }, package: 'python3-aiosmtpd', why: 'the bot test\'s SMTP server, where its replies are read back' },
];
