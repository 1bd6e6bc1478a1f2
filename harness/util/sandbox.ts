// Confinement of the code a series brings to the host (its Makefiles, Kconfig shell calls, scripts, checkpatch.pl):
// bubblewrap with no network, its own PID/IPC/UTS namespaces, uid 65534, the system read-only, and only the
// directories the step must write visible and writable. Everything else (HOME, the artifact store, the run's keys,
// the rest of the cache) is simply not there.
import { readdir, readlink } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { execa } from 'execa';
import type { Context } from './context.js';
import { HarnessError } from './errors.js';

/** `bubblewrap` (the default) or `off` (`--no-sandbox`, for hosts without user namespaces). */
export type SandboxMode = 'bubblewrap' | 'off';

/** What one sandboxed command may see. Paths are bound at the same path inside, so build outputs and logs match. */
export interface SandboxPolicy {
  /** What the step is, for messages: "kernel build", "checkpatch". */
  readonly purpose: string;
  /** Directories the command may write. */
  readonly writable: readonly string[];
  /** Files or directories it may read. */
  readonly readable?: readonly string[];
  /** Parts of a writable directory that stay read-only (the workspace's .git: a series must not rewrite the base). */
  readonly readOnlyWithin?: readonly string[];
  /** `host`: keep the host's network namespace (QEMU's user-mode network listens for the SSH forward). Default none. */
  readonly network?: 'none' | 'host';
  /** Device nodes passed through (/dev/kvm for QEMU under KVM). */
  readonly devices?: readonly string[];
}

/** The uid and gid the command runs as inside (nobody/nogroup). */
export const SANDBOX_UID = 65534;

/** The system, read-only: programs, libraries, the cross toolchain, perl, /etc (passwd, ld.so.conf, alternatives). */
export const SYSTEM_READ_ONLY: readonly string[] = ['/usr', '/etc'];

/** The environment inside: nothing of the caller's (tokens, SSH agent, proxies) except what the step asks for. */
export const SANDBOX_BASE_ENV: Readonly<Record<string, string>> = {
  PATH: '/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin',
  HOME: '/nonexistent',
  TMPDIR: '/tmp',
};

/** How a build was confined, as result.json's provenance records it. */
export type Confinement =
  | {
      readonly kind: 'bubblewrap';
      readonly version: string;
      readonly uid: number;
      readonly network: 'none';
      /** What was writable, in the workspace's terms: "work tree", "build directory". */
      readonly writable: readonly string[];
      readonly readOnly: readonly string[];
    }
  | { readonly kind: 'none'; readonly reason: string };

/** One line for reports: how the build was confined. */
export function confinementText(c: Confinement): string {
  if (c.kind === 'none') return `NOT confined (${c.reason})`;
  return `bubblewrap ${c.version}: uid ${c.uid}, no network, writable: ${c.writable.join(', ')}; read-only: ${c.readOnly.join(', ')}`;
}

export interface SandboxedCommand {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * bwrap's arguments for `command` under `policy`. `rootLinks` are the root's merged-/usr symbolic links
 * (`/bin` -> `usr/bin`, ...), recreated inside. Order matters to bwrap: later binds cover earlier ones, so the
 * read-only parts of a writable directory come after it.
 */
export function bwrapArgs(policy: SandboxPolicy, command: SandboxedCommand, rootLinks: ReadonlyArray<readonly [string, string]>): string[] {
  const args = ['--unshare-all', '--die-with-parent', '--new-session', '--uid', String(SANDBOX_UID), '--gid', String(SANDBOX_UID), '--hostname', 'sandbox'];
  if (policy.network === 'host') args.push('--share-net');
  for (const dir of SYSTEM_READ_ONLY) args.push('--ro-bind', dir, dir);
  for (const [link, target] of rootLinks) args.push('--symlink', target, link);
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  for (const dev of policy.devices ?? []) args.push('--dev-bind', dev, dev);
  for (const path of policy.readable ?? []) args.push('--ro-bind', path, path);
  for (const dir of policy.writable) args.push('--bind', dir, dir);
  for (const path of policy.readOnlyWithin ?? []) args.push('--ro-bind', path, path);
  // The root itself (a tmpfs holding the mount points) read-only too: a write outside the binds fails loudly
  // (EROFS) instead of landing in a throw-away directory.
  args.push('--remount-ro', '/');
  args.push('--clearenv');
  const env = { ...SANDBOX_BASE_ENV, ...command.env };
  for (const [name, value] of Object.entries(env)) if (value !== undefined) args.push('--setenv', name, value);
  if (command.cwd) args.push('--chdir', command.cwd);
  args.push('--', command.file, ...command.args);
  return args;
}

/** Every path the policy names must be absolute: a relative one would be bound relative to bwrap's cwd. */
export function policyProblems(policy: SandboxPolicy): string[] {
  const all = [...policy.writable, ...(policy.readable ?? []), ...(policy.readOnlyWithin ?? [])];
  return all.filter((p) => !isAbsolute(p)).map((p) => `${policy.purpose}: sandbox path "${p}" is not absolute`);
}

let links: Promise<Array<[string, string]>> | undefined;

/** The root's symbolic links into /usr (Debian's merged /usr: bin, lib, lib64, sbin), read once. */
export function rootUsrLinks(): Promise<Array<[string, string]>> {
  links ??= (async () => {
    const out: Array<[string, string]> = [];
    for (const e of await readdir('/', { withFileTypes: true })) {
      if (!e.isSymbolicLink()) continue;
      const target = await readlink(join('/', e.name)).catch(() => '');
      if (target === 'usr' || target.startsWith('usr/') || target.startsWith('/usr/')) out.push([join('/', e.name), target]);
    }
    return out;
  })();
  return links;
}

let usable: Promise<void> | undefined;

/** Check, once per process, that bubblewrap makes its namespaces here: the same mounts as every sandboxed command, around `true`. */
export function ensureSandbox(ctx: Context): Promise<void> {
  usable ??= (async () => {
    const args = bwrapArgs({ purpose: 'probe', writable: [] }, { file: 'true', args: [] }, await rootUsrLinks());
    const r = await execa('bwrap', args, { reject: false, cancelSignal: ctx.signal });
    if (r.exitCode === 0) return;
    const why = (r as { code?: string }).code === 'ENOENT' ? 'bwrap is not installed' : `bwrap cannot make its namespaces here: ${String(r.stderr).trim() || `exit ${r.exitCode}`}`;
    throw new HarnessError(`the sandbox is not usable: ${why}`, {
      stage: 'setup',
      hint: 'install bubblewrap (`make setup`, or `npx sea-harness doctor --install`); on a host without user namespaces pass --no-sandbox (the tree\'s and the series\' code and QEMU then run unconfined, and the report says so)',
    });
  })();
  return usable;
}
