// Provenance of a run: harness, compiler, binutils, QEMU and firmware versions.
import type { Context } from '../util/context.js';
import { run } from '../util/exec.js';
import { harnessVersion } from '../util/project.js';
import type { GuestProfile } from '../guest/profiles.js';
import { DEFAULT_QEMU } from '../guest/qemu-args.js';

async function firstLine(ctx: Context, file: string, args: string[]): Promise<string | null> {
  const r = await run(ctx, file, args, { stage: 'report', reject: false, timeoutMs: 20_000 }).catch(() => null);
  return r && r.exitCode === 0 ? (r.stdout.split('\n')[0]?.trim() ?? null) : null;
}

/** `qemu` may still be in the making (the project's build runs after the kernel stage). */
export async function hostProvenance(ctx: Context, qemu: Promise<string | null> | string | null, bios: string | null, profile: GuestProfile) {
  const [gcc, binutils, qemuV, fw] = await Promise.all([
    firstLine(ctx, 'aarch64-linux-gnu-gcc', ['--version']),
    firstLine(ctx, 'aarch64-linux-gnu-ld', ['--version']),
    Promise.resolve(qemu).then((q) => firstLine(ctx, q ?? DEFAULT_QEMU, ['--version'])),
    profile.firmware === 'uefi' ? (bios ? Promise.resolve(bios) : firstLine(ctx, 'dpkg-query', ['-W', '-f', 'qemu-efi-aarch64 ${Version}', 'qemu-efi-aarch64'])) : Promise.resolve('none (device tree boot)'),
  ]);
  return {
    harness: harnessVersion(),
    gcc,
    binutils,
    qemu: qemuV ? (/version (\S+)/.exec(qemuV)?.[1] ?? qemuV) : null,
    firmware: fw,
  };
}
