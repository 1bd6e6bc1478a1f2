// What the host needs, as data: each tool with how to detect it and the Debian package that provides it.

export interface Requirement {
  readonly name: string;
  /** A command on PATH or an absolute file path that must exist. */
  readonly probe: { readonly command: string; readonly versionArgs?: readonly string[] } | { readonly file: string };
  readonly package: string;
  /** apt target release for the package (qemu 10.x comes from bookworm-backports). */
  readonly target?: string;
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
  { name: 'dpkg-deb', probe: { command: 'dpkg-deb', versionArgs: ['--version'] }, package: 'dpkg', why: 'unpacks Debian packages for the source and the guest image' },
  { name: 'dropbearkey', probe: { command: 'dropbearkey' }, package: 'dropbear-bin', why: 'makes the guest\'s SSH host key on the host' },
  { name: 'ssh', probe: { command: 'ssh', versionArgs: ['-V'] }, package: 'openssh-client', why: 'repro.sh reaches the L1 with plain OpenSSH' },
  { name: 'qemu-system-aarch64', probe: { command: 'qemu-system-aarch64', versionArgs: ['--version'] }, package: 'qemu-system-arm', target: 'bookworm-backports', why: 'boots the L1 (10.x from bookworm-backports; 7.2 works too)' },
  { name: 'UEFI firmware', probe: { file: '/usr/share/qemu-efi-aarch64/QEMU_EFI.fd' }, package: 'qemu-efi-aarch64', why: 'ACPI (and ras=on\'s HEST) only reach the kernel through UEFI' },
];
