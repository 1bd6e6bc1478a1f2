// Provenance of a run: harness, compiler, binutils, QEMU and firmware versions.
import type { Context } from '../util/context.js';
import { run } from '../util/exec.js';
import { harnessVersion } from '../util/project.js';
import type { GuestProfile } from '../guest/profiles.js';
import { DEFAULT_QEMU } from '../guest/qemu-args.js';
import { SANDBOX_UID, SYSTEM_READ_ONLY, type Confinement } from '../util/sandbox.js';

async function firstLine(ctx: Context, file: string, args: string[]): Promise<string | null> {
  const r = await run(ctx, file, args, { stage: 'report', reject: false, timeoutMs: 20_000 }).catch(() => null);
  return r && r.exitCode === 0 ? (r.stdout.split('\n')[0]?.trim() ?? null) : null;
}

/** The toolchain and firmware, asked for while the kernel stage runs (a few hundred ms of process starts). */
export async function hostProvenance(ctx: Context, bios: string | null, profile: GuestProfile) {
  const [gcc, binutils, fw, sandbox] = await Promise.all([
    firstLine(ctx, 'aarch64-linux-gnu-gcc', ['--version']),
    firstLine(ctx, 'aarch64-linux-gnu-ld', ['--version']),
    profile.firmware === 'uefi' ? (bios ? Promise.resolve(bios) : firstLine(ctx, 'dpkg-query', ['-W', '-f', 'qemu-efi-aarch64 ${Version}', 'qemu-efi-aarch64'])) : Promise.resolve('none (device tree boot)'),
    confinement(ctx),
  ]);
  return { harness: harnessVersion(), gcc, binutils, firmware: fw, sandbox };
}

/** The version of the QEMU the QEMU stage chose (null: the host's default binary). */
export async function qemuVersion(ctx: Context, qemu: string | null): Promise<string | null> {
  const line = await firstLine(ctx, qemu ?? DEFAULT_QEMU, ['--version']);
  return line ? (/version (\S+)/.exec(line)?.[1] ?? line) : null;
}

/** How the host-side steps of this run (kernel config and build, headers, selftests, checkpatch, W=1) were confined. */
export async function confinement(ctx: Context): Promise<Confinement> {
  if (ctx.sandbox === 'off') return { kind: 'none', reason: '--no-sandbox: the tree\'s and the series\' code ran on the host unconfined, with network' };
  const version = await firstLine(ctx, 'bwrap', ['--version']);
  return {
    kind: 'bubblewrap',
    version: version?.replace(/^bubblewrap\s+/, '') ?? 'unknown',
    uid: SANDBOX_UID,
    network: 'none',
    writable: ['kernel work tree', 'kernel build directory'],
    readOnly: [...SYSTEM_READ_ONLY, 'the workspace\'s git repository'],
  };
}

