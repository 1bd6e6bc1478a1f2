// The project's QEMU: a store hit, and the bare build (tar, git apply, configure, ninja: the floor) that the kernel
// suite's cold run compares its QEMU stage with.
import { execa } from 'execa';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createContext } from '../harness/util/context.js';
import { addFirmwarePlaceholders, prepareQemu } from '../harness/qemu/build.js';
import { loadQemuSpec } from '../harness/qemu/spec.js';
import type { BenchEntry } from './types.js';


/** The floor: what a person would type, in a scratch directory, from the tarball the harness downloaded. */
export async function bareQemuBuild(tarball: string, dir: string): Promise<{ configureMs: number; ninjaMs: number }> {
  const spec = loadQemuSpec();
  const src = join(dir, 'src');
  const build = join(dir, 'build');
  await execa('mkdir', ['-p', src, build]);
  await execa('tar', ['-xJf', tarball, '-C', src, '--strip-components=1', '--no-same-owner']);
  // The same empty EDK2 stand-ins the harness writes (the +ds tarball leaves the images out).
  await addFirmwarePlaceholders(src);
  for (const p of spec.patches) await execa('git', ['apply', '-p1'], { cwd: src, input: p.text });
  const tc = Date.now();
  await execa(join(src, 'configure'), ['--python=/usr/bin/python3', ...spec.configure], { cwd: build });
  const configureMs = Date.now() - tc;
  const tn = Date.now();
  await execa('ninja', ['-C', build, `-j${availableParallelism()}`, 'qemu-system-aarch64']);
  return { configureMs, ninjaMs: Date.now() - tn };
}

/**
 * The store hit, in the cache `make test` filled. The cold build is measured by the kernel suite's cold run (its
 * QEMU stage next to this bare build), so that two cold QEMU builds are not paid twice.
 */
export async function benchQemu(): Promise<BenchEntry[]> {
  const ctx = createContext();
  await prepareQemu(ctx);
  const times: number[] = [];
  let fromStore = true;
  for (let i = 0; i < 5; i++) {
    const t = Date.now();
    fromStore &&= (await prepareQemu(ctx)).fromStore;
    times.push(Date.now() - t);
  }
  const median = [...times].sort((a, b) => a - b)[2]!;
  return [{ name: "the project's QEMU: store hit (key from qemu/, lookup), median of 5", value: median / 1000, unit: 's', target: '< 1 s', ok: median < 1000 && fromStore, note: `all: ${times.map((x) => x / 1000).join(' ')} s` }];
}
