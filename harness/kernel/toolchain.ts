// The cross toolchain identity: part of every workspace and store key.
import type { Context } from '../util/context.js';
import { run } from '../util/exec.js';
import { HarnessError } from '../util/errors.js';

export interface Toolchain {
  readonly arch: 'arm64';
  readonly crossCompile: string;
  /** `aarch64-linux-gnu-gcc --version` first line. */
  readonly gcc: string;
  readonly binutils: string;
  /** Short id for directory names, e.g. `aarch64-gcc12`. */
  readonly id: string;
}

export async function detectToolchain(ctx: Context, crossCompile = 'aarch64-linux-gnu-'): Promise<Toolchain> {
  const gcc = await run(ctx, `${crossCompile}gcc`, ['--version'], { stage: 'build', reject: false }).catch(() => null);
  if (!gcc || gcc.exitCode !== 0) {
    throw new HarnessError(`the arm64 cross compiler ${crossCompile}gcc is not installed`, {
      stage: 'setup',
      hint: 'run `npx sea-harness doctor --install` (or apt-get install gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu)',
    });
  }
  const ld = await run(ctx, `${crossCompile}ld`, ['--version'], { stage: 'build', reject: false });
  const gccLine = gcc.stdout.split('\n')[0]!.trim();
  const major = /(\d+)\.\d+\.\d+/.exec(gccLine)?.[1] ?? 'x';
  return {
    arch: 'arm64',
    crossCompile,
    gcc: gccLine,
    binutils: ld.stdout.split('\n')[0]!.trim(),
    id: `${crossCompile.replace(/-linux-gnu-$/, '').replace(/-$/, '')}-gcc${major}`,
  };
}
