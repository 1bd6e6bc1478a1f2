// Patch coverage's cost, in the default cache (it needs `make test-kernels`): the coverage kernel built from the
// cached plain one (the workspace left on the plain series build first, so make sees exactly the gcov flags
// change), against the plain kernel's cold build (its store manifest); and a warm run with and without --coverage.
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, SERIES_MBOX } from '../harness/test-support/paths.js';
import { defaultCacheDir } from '../harness/util/context.js';
import type { BenchEntry } from './types.js';

interface BuildJson {
  kernel: { key: string; compiled: number; buildMs: number };
}
interface RunJson {
  verdict: string;
  timings: { totalMs: number; runMs: number };
  coverage?: unknown;
}

const s = (ms: number) => Math.round(ms / 100) / 10;

async function cli<T>(args: string[]): Promise<T> {
  const r = await execa('node', [CLI, ...args], { reject: false });
  if (r.exitCode !== 0) throw new Error(`sea-harness ${args.join(' ')} exited ${r.exitCode}: ${String(r.stderr).slice(-2000)}`);
  return JSON.parse(String(r.stdout)) as T;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchCoverage(): Promise<BenchEntry[]> {
  const base = await cli<BuildJson>(['build', '--format', 'json']);
  const coldMs = (JSON.parse(readFileSync(join(defaultCacheDir(), 'store', base.kernel.key, 'manifest.json'), 'utf8')) as { buildMs: number }).buildMs;
  // Settle the workspace on the plain series kernel (not counted: what it held before is whatever ran last),
  // then the coverage kernel from it, then the plain one again from the coverage one.
  await cli<BuildJson>(['build', '--series', SERIES_MBOX, '--rebuild', '--format', 'json']);
  const cov = await cli<BuildJson>(['build', '--series', SERIES_MBOX, '--coverage', '--rebuild', '--format', 'json']);
  const back = await cli<BuildJson>(['build', '--series', SERIES_MBOX, '--rebuild', '--format', 'json']);
  // Warm runs (both kernels are store hits now), the default cases and scheduling, alternated, median of 3.
  const plain: number[] = [];
  const withCov: number[] = [];
  for (let i = 0; i < 3; i++) {
    plain.push((await cli<RunJson>(['run', '--series', SERIES_MBOX, '--format', 'json'])).timings.totalMs);
    const r = await cli<RunJson>(['run', '--series', SERIES_MBOX, '--coverage', '--format', 'json']);
    if (!r.coverage) throw new Error('run --coverage gave no coverage in its result');
    withCov.push(r.timings.totalMs);
  }
  const extra = median(withCov) / median(plain) - 1;
  return [
    { name: 'plain kernel, cold build (the base\'s store manifest)', value: s(coldMs), unit: 's' },
    { name: 'coverage kernel built from the cached plain series kernel', value: s(cov.kernel.buildMs), unit: 's', target: '< 180 s', ok: cov.kernel.buildMs < 180_000, note: `${cov.kernel.compiled} objects (the series' C files with gcov) + relink` },
    { name: 'and the plain one again from it', value: s(back.kernel.buildMs), unit: 's', note: `${back.kernel.compiled} objects` },
    { name: 'warm run, default cases and --jobs (median of 3)', value: s(median(plain)), unit: 's', note: `runs ${plain.map(s).join(', ')} s` },
    { name: 'the same run with --coverage (median of 3, alternated)', value: s(median(withCov)), unit: 's', note: `runs ${withCov.map(s).join(', ')} s; counters read after boot and after the cases, gcov and genhtml on the host` },
    { name: 'coverage run / warm run - 1', value: Math.round(extra * 1000) / 10, unit: '%', target: '< 20 %', ok: extra < 0.2 },
  ];
}
