// Kernel-stage benchmarks: the harness's cold build, store hit, series and one-file rebuilds, each next to a
// bare `make -j2 Image` of the same tree and config measured the same way (no ccache on either side).
import { execa } from 'execa';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, PATCHES, SERIES_MBOX } from '../harness/test-support/paths.js';
import type { BenchEntry } from './types.js';

interface BuildJson {
  kernel: { config: string; fromStore: boolean; compiled: number; buildMs: number };
  source: { tree: string };
  workspace: string;
}

async function harnessBuild(cache: string, args: string[]): Promise<{ doc: BuildJson; wallMs: number }> {
  const t = Date.now();
  const r = await execa('node', [CLI, 'build', '--format', 'json', ...args], { env: { SEA_HARNESS_CACHE: cache }, reject: false });
  if (r.exitCode !== 0) throw new Error(`sea-harness build ${args.join(' ')} failed: ${String(r.stderr).slice(-2000)}`);
  return { doc: JSON.parse(String(r.stdout)) as BuildJson, wallMs: Date.now() - t };
}

async function bareMake(src: string, out: string): Promise<number> {
  const t = Date.now();
  await execa('make', ['-C', src, `O=${out}`, 'ARCH=arm64', 'CROSS_COMPILE=aarch64-linux-gnu-', `-j${availableParallelism()}`, 'Image'], { env: { LC_ALL: 'C' } });
  return Date.now() - t;
}

const s = (ms: number) => Math.round(ms / 100) / 10;

/** Measures in a fresh cache (cold) and a bare tree exported from the same workspace commit. */
export async function benchKernel(): Promise<BenchEntry[]> {
  const cache = mkdtempSync(join(tmpdir(), 'sea-bench-cache-'));
  const entries: BenchEntry[] = [];
  try {
    // Harness, cold: fresh cache, so source import and the full build happen (the apt lists and .debs too).
    const cold = await harnessBuild(cache, []);
    entries.push({ name: 'harness cold build: make Image (fresh workspace)', value: s(cold.doc.kernel.buildMs), unit: 's', note: `whole command ${s(cold.wallMs)} s incl. source import` });

    // Bare, cold: the same tree and .config in a directory of its own.
    const bare = mkdtempSync(join(tmpdir(), 'sea-bench-bare-'));
    const src = join(bare, 'src');
    const out = join(bare, 'build');
    mkdirSync(src);
    mkdirSync(out);
    await execa('sh', ['-c', `git -C "${join(cold.doc.workspace, 'src')}" archive ${cold.doc.source.tree} | tar -x -C "${src}"`]);
    copyFileSync(cold.doc.kernel.config, join(out, '.config'));
    await execa('make', ['-C', src, `O=${out}`, 'ARCH=arm64', 'CROSS_COMPILE=aarch64-linux-gnu-', 'olddefconfig']);
    const bareCold = await bareMake(src, out);
    entries.push({ name: 'bare cold make -j2 Image (same tree, same config)', value: s(bareCold), unit: 's' });
    const ratio = cold.doc.kernel.buildMs / bareCold;
    entries.push({ name: 'harness cold build / bare cold build', value: Math.round(ratio * 1000) / 1000, unit: 'x', target: '<= 1.05', ok: ratio <= 1.05 });

    const hit = await harnessBuild(cache, []);
    entries.push({ name: 'store hit (whole `build` command)', value: s(hit.wallMs), unit: 's', target: '< 2 s', ok: hit.wallMs < 2000 && hit.doc.kernel.fromStore });

    // The series as an incremental rebuild: harness vs bare applying the same patches to its tree.
    const series = await harnessBuild(cache, ['--series', SERIES_MBOX]);
    for (const f of ['0001-KVM-arm64-Set-FnV-for-VCPU-when-FAR_EL2-is-invalid.patch', '0002-KVM-arm64-Allow-userspace-to-inject-external-instruc.patch', '0003-KVM-selftests-Test-for-KVM_CAP_INJECT_EXT_IABT.patch']) {
      await execa('patch', ['-p1', '-d', src, '-i', join(SERIES_MBOX.replace(/\.mbox$/, ''), f)]);
    }
    const bareSeries = await bareMake(src, out);
    entries.push({ name: 'harness: series as an incremental rebuild', value: s(series.doc.kernel.buildMs), unit: 's', note: `${series.doc.kernel.compiled} objects` });
    entries.push({ name: 'bare: series as an incremental make', value: s(bareSeries), unit: 's' });
    const sr = series.doc.kernel.buildMs / bareSeries;
    entries.push({ name: 'harness series rebuild / bare', value: Math.round(sr * 1000) / 1000, unit: 'x', target: '<= 1.10', ok: sr <= 1.1 });

    // A one-file change under arch/arm64/kvm.
    const one = await harnessBuild(cache, ['--series', SERIES_MBOX, '--series', join(PATCHES, 'probe-comment.patch')]);
    await execa('patch', ['-p1', '-d', src, '-i', join(PATCHES, 'probe-comment.patch')]);
    const bareOne = await bareMake(src, out);
    entries.push({ name: 'harness: one-file change under arch/arm64/kvm', value: s(one.doc.kernel.buildMs), unit: 's', target: '< 40 s', ok: one.doc.kernel.buildMs < 40_000, note: `${one.doc.kernel.compiled} objects; whole command ${s(one.wallMs)} s` });
    entries.push({ name: 'bare: one-file change (make)', value: s(bareOne), unit: 's' });
    rmSync(bare, { recursive: true, force: true });
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
  return entries;
}
