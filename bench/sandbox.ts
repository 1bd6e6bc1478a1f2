// The build sandbox's cost: the same incremental rebuild (every C file under arch/arm64/kvm touched, so ~40
// objects recompile and vmlinux relinks) through `build --rebuild`, in bubblewrap and with --no-sandbox, alternated,
// median of 3 each, in the default cache (it needs the series kernel built there: `make test-kernels`).
import { execa } from 'execa';
import { readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, SERIES_MBOX } from '../harness/test-support/paths.js';
import type { BenchEntry } from './types.js';

interface BuildJson {
  kernel: { compiled: number; buildMs: number };
  workspace: string;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const s = (ms: number) => Math.round(ms / 100) / 10;

async function rebuild(sandbox: boolean): Promise<BuildJson> {
  const args = ['build', '--series', SERIES_MBOX, '--rebuild', '--format', 'json', ...(sandbox ? [] : ['--no-sandbox'])];
  const r = await execa('node', [CLI, ...args], { reject: false });
  if (r.exitCode !== 0) throw new Error(`sea-harness ${args.join(' ')} exited ${r.exitCode}: ${String(r.stderr).slice(-2000)}`);
  return JSON.parse(String(r.stdout)) as BuildJson;
}

/** Make every C file of arch/arm64/kvm newer than its object. */
function touchKvm(src: string): number {
  const dir = join(src, 'arch', 'arm64', 'kvm');
  const files = readdirSync(dir).filter((f) => f.endsWith('.c'));
  const now = new Date();
  for (const f of files) utimesSync(join(dir, f), now, now);
  return files.length;
}

export async function benchSandbox(): Promise<BenchEntry[]> {
  // Settle the workspace on the series tree (a first rebuild in each mode, not counted: the environment change
  // between modes makes kconfig resync once).
  const first = await rebuild(true);
  const src = join(first.workspace, 'src');
  await rebuild(false);
  const times: Record<'on' | 'off', number[]> = { on: [], off: [] };
  const compiled: Record<'on' | 'off', number[]> = { on: [], off: [] };
  for (let i = 0; i < 3; i++) {
    for (const mode of ['on', 'off'] as const) {
      touchKvm(src);
      const b = await rebuild(mode === 'on');
      times[mode].push(b.kernel.buildMs);
      compiled[mode].push(b.kernel.compiled);
    }
  }
  const on = median(times.on);
  const off = median(times.off);
  const ratio = Math.round((on / off) * 1000) / 1000;
  return [
    { name: 'incremental rebuild in the bubblewrap sandbox (arch/arm64/kvm/*.c touched; median of 3)', value: s(on), unit: 's', note: `${median(compiled.on)} objects; runs ${times.on.map(s).join(', ')} s` },
    { name: 'the same rebuild with --no-sandbox (median of 3, alternated)', value: s(off), unit: 's', note: `${median(compiled.off)} objects; runs ${times.off.map(s).join(', ')} s` },
    { name: 'sandboxed / unconfined build', value: ratio, unit: 'x', target: '<= 1.05', ok: on <= off * 1.05 },
  ];
}
