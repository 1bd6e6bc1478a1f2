// ci's base side: its kernel (a store hit after the first series), then its results, cached per kernel and
// guest options (a bot tests many series on one base).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from '../util/context.js';
import { harnessVersion } from '../util/project.js';
import type { CaseDefinition } from '../catalog/cases.js';
import { prepareKernel, type KernelPlan, type PreparedKernel } from '../kernel/prepare.js';
import { guestOptionsKey, type GuestOptions } from '../guest/options.js';
import { chooseQemu } from '../qemu/choose.js';
import { runStage } from '../util/stage.js';
import type { RunResult } from '../model/result.js';
import { runPipeline } from '../run/pipeline.js';
import { readCachedResult, resultKey, writeCachedResult } from './result-cache.js';

export interface BasePlan {
  readonly kernel: KernelPlan;
  readonly cases: readonly CaseDefinition[];
  readonly named: boolean;
  readonly guest: GuestOptions;
  readonly freshBase: boolean;
  readonly outDir: string;
}

export type BaseSide =
  | { readonly kind: 'ok'; readonly kernel: PreparedKernel; readonly result: RunResult; readonly reused: boolean }
  | { readonly kind: 'error'; readonly kernel: PreparedKernel | null; readonly reason: string };

export async function runBaseSide(ctx: Context, plan: BasePlan): Promise<BaseSide> {
  const dir = join(plan.outDir, 'base');
  await mkdir(dir, { recursive: true });
  const k = await prepareKernel(ctx, plan.kernel, plan.cases, dir);
  if (k.kind !== 'done') {
    const e = k.error;
    const detail = `${e.message}${e.outputTail ? ` (${e.outputTail.trim().split('\n').at(-1)})` : ''}`;
    const what = k.kind === 'did-not-build' ? 'the base does not build' : 'the base kernel could not be prepared';
    return { kind: 'error', kernel: null, reason: `${what}, so nothing can be blamed on the series (infrastructure): ${detail}` };
  }
  // The QEMU the base boots is part of what decides its results (the project's build by its store key).
  const qemu = await runStage(ctx, 'qemu', (c) => chooseQemu(c, plan.guest.profile, plan.guest.qemu));
  if (qemu.kind !== 'done') return { kind: 'error', kernel: k.value, reason: `the QEMU for the base could not be prepared: ${qemu.error.message}` };
  const q = qemu.value;
  const key = resultKey({
    kernelKey: k.value.kernel.key,
    cases: plan.cases.map((c) => c.name),
    guest: guestOptionsKey(plan.guest, q.build ? `sea-harness qemu ${q.build.key}` : q.path),
    harness: harnessVersion(),
  });
  const cached = plan.freshBase ? null : await readCachedResult(ctx.cacheDir, key);
  if (cached) {
    ctx.log.info(`ci: base results from the cache (${key}); --fresh-base to run them again`);
    await writeFile(join(dir, 'result.json'), JSON.stringify(cached, null, 2) + '\n');
    return { kind: 'ok', kernel: k.value, result: cached, reused: true };
  }
  // The base kernel prepared above (for the key) is the one the run boots: no second store lookup.
  const run = await runPipeline(ctx, { kernel: { kind: 'prepared', plan: plan.kernel, kernel: k.value }, cases: plan.cases, named: plan.named, guest: plan.guest, repeat: 1, outDir: dir });
  if (run.result.verdict === 'error') return { kind: 'error', kernel: k.value, reason: `the base run hit an infrastructure error: ${run.result.error?.message ?? 'see base/result.json'}` };
  await writeCachedResult(ctx.cacheDir, key, run.result);
  return { kind: 'ok', kernel: k.value, result: run.result, reused: false };
}
