// Kernel-stage and cold-run benchmarks, each next to a bare `make -j2 Image` of the same tree and config
// measured the same way (no ccache on either side): the harness's cold run split by stage, a store hit,
// the series as an incremental rebuild, and a one-file change under arch/arm64/kvm.
import { execa } from 'execa';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, PATCHES, SERIES_DIR, SERIES_MBOX } from '../harness/test-support/paths.js';
import type { RunResult } from '../harness/model/result.js';
import type { BenchEntry } from './types.js';
import { bareQemuBuild } from './qemu.js';
import { loadQemuSpec } from '../harness/qemu/spec.js';
import { qemuTarballPath } from '../harness/qemu/build.js';

interface BuildJson {
  kernel: { config: string; fromStore: boolean; compiled: number; buildMs: number };
  source: { tree: string };
  workspace: string;
}

const s = (ms: number) => Math.round(ms / 100) / 10;
const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;

async function cli(cache: string, args: string[]): Promise<{ stdout: string; wallMs: number }> {
  const t = Date.now();
  const r = await execa('node', [CLI, ...args], { env: { SEA_HARNESS_CACHE: cache }, reject: false });
  if (r.exitCode !== 0) throw new Error(`sea-harness ${args.join(' ')} exited ${r.exitCode}: ${String(r.stderr).slice(-2000)}`);
  return { stdout: String(r.stdout), wallMs: Date.now() - t };
}

async function build(cache: string, args: string[]): Promise<{ doc: BuildJson; wallMs: number }> {
  const r = await cli(cache, ['build', '--format', 'json', ...args]);
  return { doc: JSON.parse(r.stdout) as BuildJson, wallMs: r.wallMs };
}

async function bareMake(src: string, out: string): Promise<number> {
  const t = Date.now();
  await execa('make', ['-C', src, `O=${out}`, 'ARCH=arm64', 'CROSS_COMPILE=aarch64-linux-gnu-', `-j${availableParallelism()}`, 'Image'], { env: { LC_ALL: 'C' } });
  return Date.now() - t;
}

const seriesPatches = () => readdirSync(SERIES_DIR).filter((f) => /^000[1-9].*\.patch$/.test(f)).sort().map((f) => join(SERIES_DIR, f));

export async function benchKernel(): Promise<BenchEntry[]> {
  const cache = mkdtempSync(join(tmpdir(), 'sea-bench-cache-'));
  const bare = mkdtempSync(join(tmpdir(), 'sea-bench-bare-'));
  const entries: BenchEntry[] = [];
  try {
    // The harness, cold: a fresh cache, so apt lists, Debian's source, the full build, image, boot and cases.
    const cold = await cli(cache, ['run', '--series', SERIES_MBOX, '--out', join(bare, 'cold-run'), '--format', 'json']);
    const t = (JSON.parse(cold.stdout) as RunResult).timings;
    const b = await build(cache, ['--series', SERIES_MBOX]);

    // Bare, cold: the same tree and .config in a directory of its own.
    const src = join(bare, 'src');
    const out = join(bare, 'build');
    mkdirSync(src);
    mkdirSync(out);
    await execa('sh', ['-c', `git -C "${join(b.doc.workspace, 'src')}" archive ${b.doc.source.tree} | tar -x -C "${src}"`]);
    copyFileSync(b.doc.kernel.config, join(out, '.config'));
    // Bare config step timed too: the harness's build time includes writing and verifying its .config.
    const tc = Date.now();
    await execa('make', ['-C', src, `O=${out}`, 'ARCH=arm64', 'CROSS_COMPILE=aarch64-linux-gnu-', 'olddefconfig']);
    const bareConfig = Date.now() - tc;
    const bareCold = await bareMake(src, out);
    const harnessConfig = t.kernelConfigMs ?? 0;
    const harnessMake = t.kernelBuildMs - harnessConfig;
    entries.push({ name: 'harness cold build (config + make Image in a fresh workspace)', value: s(t.kernelBuildMs), unit: 's', note: `config ${s(harnessConfig)} s (allnoconfig, fragments, olddefconfig, verify; kconfig host tools built), make ${s(harnessMake)} s` });
    entries.push({ name: 'bare cold olddefconfig + make -j2 Image (same tree, same .config)', value: s(bareConfig + bareCold), unit: 's', note: `olddefconfig ${s(bareConfig)} s, make ${s(bareCold)} s` });
    entries.push({ name: 'harness cold make / bare cold make (the compile itself)', value: ratio(harnessMake, bareCold), unit: 'x', target: '<= 1.05', ok: harnessMake <= bareCold * 1.05 });
    entries.push({ name: 'harness cold build / bare (config included on both sides)', value: ratio(t.kernelBuildMs, bareConfig + bareCold), unit: 'x', target: '<= 1.05', ok: t.kernelBuildMs <= (bareConfig + bareCold) * 1.05 });
    // The project's QEMU, built bare from the tarball the cold run downloaded.
    const q = await bareQemuBuild(qemuTarballPath(cache, loadQemuSpec()), join(bare, 'qemu'));
    const bareQemu = q.configureMs + q.ninjaMs;
    entries.push({ name: "harness cold QEMU stage (download, unpack, git import + am, configure, ninja), in the cold run", value: s(t.qemuBuildMs ?? 0), unit: 's' });
    entries.push({ name: 'bare QEMU build (tar, git apply, configure, ninja; same tarball, patches, flags)', value: s(bareQemu), unit: 's', note: `configure ${s(q.configureMs)} s, ninja ${s(q.ninjaMs)} s` });
    entries.push({ name: 'harness cold QEMU stage / bare', value: ratio(t.qemuBuildMs ?? 0, bareQemu), unit: 'x', target: '<= 1.10', ok: (t.qemuBuildMs ?? 0) <= bareQemu * 1.1 });
    const stages = `source ${s(t.sourceMs ?? 0)} s, kernel ${s(t.kernelBuildMs)} s, selftests ${s(t.selftestsBuildMs)} s, QEMU ${s(t.qemuBuildMs ?? 0)} s, image ${s(t.imageMs)} s, boot ${s(t.bootMs)} s, cases ${s(t.runMs)} s`;
    const reference = (t.sourceMs ?? 0) + bareConfig + bareCold + bareQemu + t.bootMs + t.runMs;
    entries.push({ name: 'cold `run --series` (fresh cache), command to verdict', value: s(cold.wallMs), unit: 's', note: stages });
    entries.push({ name: 'cold run / (source + bare kernel build + bare QEMU build + boot + cases)', value: ratio(cold.wallMs, reference), unit: 'x', target: '<= 1.10', ok: cold.wallMs <= reference * 1.1 });

    entries.push({ name: 'store hit (whole `build` command)', value: s(b.wallMs), unit: 's', target: '< 2 s', ok: b.wallMs < 2000 && b.doc.kernel.fromStore });

    // The series as an incremental rebuild, both ways round: harness to the base, bare reverting the patches.
    const base = await build(cache, []);
    for (const p of seriesPatches().reverse()) await execa('patch', ['-R', '-p1', '-d', src, '-i', p]);
    const bareSeries = await bareMake(src, out);
    entries.push({ name: 'harness: the series as an incremental rebuild', value: s(base.doc.kernel.buildMs), unit: 's', note: `${base.doc.kernel.compiled} objects` });
    entries.push({ name: 'bare: the same change, incremental make', value: s(bareSeries), unit: 's' });
    entries.push({ name: 'harness series rebuild / bare', value: ratio(base.doc.kernel.buildMs, bareSeries), unit: 'x', target: '<= 1.10', ok: base.doc.kernel.buildMs <= bareSeries * 1.1 });

    // A one-file change under arch/arm64/kvm (on the base now on both sides).
    const one = await build(cache, ['--series', join(PATCHES, 'probe-comment.patch')]);
    await execa('patch', ['-p1', '-d', src, '-i', join(PATCHES, 'probe-comment.patch')]);
    const bareOne = await bareMake(src, out);
    entries.push({ name: 'harness: one-file change under arch/arm64/kvm', value: s(one.doc.kernel.buildMs), unit: 's', target: '< 40 s', ok: one.doc.kernel.buildMs < 40_000, note: `${one.doc.kernel.compiled} objects; whole command ${s(one.wallMs)} s` });
    entries.push({ name: 'bare: one-file change, incremental make', value: s(bareOne), unit: 's' });
  } finally {
    rmSync(cache, { recursive: true, force: true });
    rmSync(bare, { recursive: true, force: true });
  }
  return entries;
}
