// Boot and run benchmarks: boot to the first SSH command (median of 5) per profile, and the warm `run`
// next to its floor (boot + the three cases run by hand over SSH).
import { execa } from 'execa';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCases } from '../harness/catalog/cases.js';
import { guestBinaryPath } from '../harness/cases/runner.js';
import { bootGuest } from '../harness/guest/boot.js';
import { loadProfile, type GuestProfile } from '../harness/guest/profiles.js';
import { prepareKernel } from '../harness/kernel/prepare.js';
import { loadSeriesInputs } from '../harness/kernel/series.js';
import { valueOrThrow } from '../harness/util/stage.js';
import { prepareBootInputs } from '../harness/run/boot-inputs.js';
import { createContext } from '../harness/util/context.js';
import { CLI, SERIES_MBOX } from '../harness/test-support/paths.js';
import type { BenchEntry } from './types.js';
import type { RunResult } from '../harness/model/result.js';
import { chooseQemu } from '../harness/qemu/choose.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const s = (ms: number) => Math.round(ms / 100) / 10;

/**
 * TCG speed options, measured before settling on the profile's defaults: boot to SSH and one L2-running case
 * (external_aborts) per variant, median of 3.
 */
async function tcgOptions(ctx: ReturnType<typeof createContext>, inputs: Awaited<ReturnType<typeof prepareBootInputs>>, out: string): Promise<BenchEntry[]> {
  const base = loadProfile('virt-ras-nested');
  const variants: Array<[string, GuestProfile]> = [
    ['profile default (-cpu max,pauth-impdef=on, -smp 2, MTTCG)', base],
    ['-cpu max (QEMU\'s default pointer-auth algorithm)', { ...base, cpu: 'max' }],
    ['-smp 1', { ...base, smp: 1 }],
  ];
  const entries: BenchEntry[] = [];
  const caseDef = loadCases().find((c) => c.name === 'external_aborts')!;
  for (const [label, profile] of variants) {
    const boots: number[] = [];
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const qemu = (await chooseQemu(ctx, profile, null)).path;
      const g = await bootGuest(ctx, { profile, qemu, kernelImage: inputs.image, initrd: inputs.initrd, accel: 'tcg', outDir: out, hostKey: inputs.base.hostKeyPublic, clientKey: inputs.clientKey });
      boots.push(g.bootMs);
      runs.push((await g.ssh.exec(`cd /tmp && ${guestBinaryPath(caseDef)}`, { timeoutMs: 300_000 })).durationMs);
      await g.shutdown();
    }
    entries.push({ name: `TCG option: ${label}: boot to SSH / external_aborts`, value: s(median(boots)), unit: 's', note: `external_aborts ${s(median(runs))} s (medians of 3)` });
  }
  return entries;
}

export async function benchBoot(): Promise<BenchEntry[]> {
  const ctx = createContext();
  const out = mkdtempSync(join(tmpdir(), 'sea-bench-boot-'));
  const cases = loadCases();
  const kernel = valueOrThrow(await prepareKernel(ctx, { source: { kind: 'debian', series: '7.3' }, series: await loadSeriesInputs([SERIES_MBOX]), configFragments: [] }, cases, out));
  const inputs = await prepareBootInputs(ctx, kernel, cases, out);
  const entries: BenchEntry[] = [];
  let floorMs = 0;
  try {
    for (const name of ['virt-ras-nested', 'virt-ras-nested-stock', 'virt-dt']) {
      const times: number[] = [];
      const profile = loadProfile(name);
      // Each profile with its own QEMU: the project's for the EINJ one, Debian's for the others.
      const qemu = (await chooseQemu(ctx, profile, null)).path;
      for (let i = 0; i < 5; i++) {
        const g = await bootGuest(ctx, { profile, qemu, kernelImage: inputs.image, initrd: inputs.initrd, accel: 'tcg', outDir: out, hostKey: inputs.base.hostKeyPublic, clientKey: inputs.clientKey });
        times.push(g.bootMs);
        if (name === 'virt-ras-nested' && i === 0) {
          // The floor of a warm run: this boot plus the three cases run by hand over SSH.
          let casesMs = 0;
          for (const c of cases) {
            const r = await g.ssh.exec(`cd /tmp && ${guestBinaryPath(c)}`, { timeoutMs: 300_000 });
            casesMs += r.durationMs;
          }
          floorMs = g.bootMs + casesMs;
        }
        await g.shutdown();
      }
      entries.push({ name: `boot to first SSH command, ${name} (median of 5)`, value: s(median(times)), unit: 's', ...(name === 'virt-ras-nested' ? { target: '< 4 s', ok: median(times) < 4000 } : {}), note: `all: ${times.map(s).join(' ')}` });
    }
    entries.push(...(await tcgOptions(ctx, inputs, out)));
  } finally {
    await ctx.cleanup.close();
  }
  // The warm run as shipped (cases sharing the L1, one per vCPU) and one case at a time, as the floor runs them.
  const seaMs: number[] = [];
  const warm = async (extra: string[]) => {
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = Date.now();
      const r = await execa('node', [CLI, 'run', '--series', SERIES_MBOX, '--out', join(out, `warm-${extra.join('')}-${i}`), '--format', 'json', ...extra], { reject: false });
      if (r.exitCode !== 0) throw new Error(`warm run ${extra.join(' ')} exited ${r.exitCode}: ${String(r.stderr).slice(-1500)}`);
      runs.push(Date.now() - t);
      const sea = (JSON.parse(String(r.stdout)) as RunResult).cases.find((c) => c.name === 'sea_to_user');
      if (extra.length && sea?.verdict === 'pass') seaMs.push(sea.durationMs);
    }
    return runs;
  };
  const shared = await warm([]);
  const serial = await warm(['--jobs', '1']);
  entries.push({ name: 'sea_to_user alone, passing on the project\'s QEMU (a real SEA), median of 3', value: s(median(seaMs)), unit: 's', note: `all: ${seaMs.map(s).join(' ')}` });
  entries.push({ name: 'floor: boot + the three cases by hand over SSH, one after another', value: s(floorMs), unit: 's' });
  entries.push({ name: 'warm `run --series` (nothing changed, command to verdict, median of 3)', value: s(median(shared)), unit: 's', target: '< 12 s', ok: median(shared) < 12_000, note: `all: ${shared.map(s).join(' ')}; cases share the L1 (--jobs 2 on 2 vCPUs)` });
  entries.push({ name: 'warm `run --series --jobs 1` (one case at a time, as the floor)', value: s(median(serial)), unit: 's', note: `all: ${serial.map(s).join(' ')}; ${(median(serial) / floorMs).toFixed(2)}x the floor` });
  return entries;
}
