// The project's QEMU: the harness's cold build (fresh cache: download, unpack, patches, configure, ninja) next to a
// bare build of the same tarball and patches (tar, git apply, configure, ninja: the floor), and a store hit.
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createContext } from '../harness/util/context.js';
import { prepareQemu } from '../harness/qemu/build.js';
import { loadQemuSpec } from '../harness/qemu/spec.js';
import type { BenchEntry } from './types.js';

const s = (ms: number) => Math.round(ms / 100) / 10;
const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;

/** The floor: what a person would type, in a scratch directory, from the tarball the harness downloaded. */
export async function bareQemuBuild(tarball: string, dir: string): Promise<{ configureMs: number; ninjaMs: number }> {
  const spec = loadQemuSpec();
  const src = join(dir, 'src');
  const build = join(dir, 'build');
  await execa('mkdir', ['-p', src, build]);
  await execa('tar', ['-xJf', tarball, '-C', src, '--strip-components=1', '--no-same-owner']);
  // The same empty EDK2 stand-ins the harness writes (the +ds tarball leaves the images out).
  await execa('sh', ['-c', 'for f in $(grep -o "edk2-[a-z0-9_-]*\\.fd" pc-bios/meson.build | sort -u); do [ -e pc-bios/$f.bz2 ] || bzip2 -c </dev/null > pc-bios/$f.bz2; done'], { cwd: src });
  for (const p of spec.patches) await execa('git', ['apply', '-p1'], { cwd: src, input: p.text });
  const tc = Date.now();
  await execa(join(src, 'configure'), ['--python=/usr/bin/python3', ...spec.configure], { cwd: build });
  const configureMs = Date.now() - tc;
  const tn = Date.now();
  await execa('ninja', ['-C', build, `-j${availableParallelism()}`, 'qemu-system-aarch64']);
  return { configureMs, ninjaMs: Date.now() - tn };
}

export async function benchQemu(): Promise<BenchEntry[]> {
  const cache = mkdtempSync(join(tmpdir(), 'sea-bench-qemu-cache-'));
  const bare = mkdtempSync(join(tmpdir(), 'sea-bench-qemu-bare-'));
  const entries: BenchEntry[] = [];
  try {
    const ctx = createContext({ cacheDir: cache });
    const tc = Date.now();
    const cold = await prepareQemu(ctx);
    const coldMs = Date.now() - tc;
    const th = Date.now();
    const hit = await prepareQemu(ctx);
    const hitMs = Date.now() - th;
    const tarball = join(cache, 'qemu', new URL(loadQemuSpec().url).pathname.split('/').at(-1)!);
    const b = await bareQemuBuild(tarball, bare);
    entries.push({ name: "harness cold QEMU build (fresh cache: download, unpack, git import + am, configure, ninja)", value: s(coldMs), unit: 's', note: `${cold.steps} ninja steps; make ${s(cold.buildMs)} s of it` });
    entries.push({ name: 'bare QEMU build (tar, git apply, configure, ninja; same flags)', value: s(b.configureMs + b.ninjaMs), unit: 's', note: `configure ${s(b.configureMs)} s, ninja ${s(b.ninjaMs)} s` });
    entries.push({ name: 'harness cold QEMU build / bare', value: ratio(coldMs, b.configureMs + b.ninjaMs), unit: 'x', target: '<= 1.10', ok: coldMs <= (b.configureMs + b.ninjaMs) * 1.1 });
    entries.push({ name: 'QEMU store hit', value: s(hitMs), unit: 's', target: '< 1 s', ok: hitMs < 1000 && hit.fromStore });
  } finally {
    rmSync(cache, { recursive: true, force: true });
    rmSync(bare, { recursive: true, force: true });
  }
  return entries;
}
