// One bisect step: the case on one revision of the tree (plus the series), through the run pipeline in the
// one kernel workspace, turned into good / bad / skip. Never throws for a verdict: only an interrupt escapes.
import { appendFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from '../util/context.js';
import { AbortedError, ExitCode, HarnessError } from '../util/errors.js';
import { runPipeline, type RunPlan } from '../run/pipeline.js';
import { SeriesApplyError } from '../kernel/series.js';
import type { StepPhase, StepRecord } from '../model/bisect.js';
import { decide, type StepOutcome, type StepPolicy } from './policy.js';
import { commitSubject } from './commits.js';
import { formatDuration } from '../report/text.js';

export interface StepInput {
  /** The user's kernel git tree (only read: the revision is fetched into the workspace). */
  readonly kernelDir: string;
  /** Full commit hash to test. */
  readonly commit: string;
  readonly phase: StepPhase;
  readonly policy: StepPolicy;
  /** Everything of `run` but the kernel source and the output directory. */
  readonly run: Omit<RunPlan, 'kernel' | 'outDir' | 'named' | 'repeat'> & { readonly series: readonly string[]; readonly seriesVersion?: number };
  /** This step's artifact directory. */
  readonly outDir: string;
}

/**
 * The directory for the next step under a bisect's steps/ directory: `NN-<commit>`, numbered in the order
 * the steps ran (checks, git bisect run's steps, confirmations).
 */
export async function nextStepDir(stepsRoot: string, commit: string): Promise<string> {
  await mkdir(stepsRoot, { recursive: true });
  const n = (await readdir(stepsRoot)).filter((f) => /^\d+-/.test(f)).length + 1;
  return join(stepsRoot, `${String(n).padStart(2, '0')}-${commit.slice(0, 12)}`);
}

export async function runStep(ctx: Context, input: StepInput): Promise<StepRecord> {
  const t0 = Date.now();
  const subject = await commitSubject(ctx, input.kernelDir, input.commit);
  const { series, seriesVersion, ...rest } = input.run;
  let outcome: StepOutcome;
  let timings = { buildMs: 0, bootMs: 0, runMs: 0, fromStore: false };
  try {
    const { result } = await runPipeline(ctx, {
      ...rest,
      kernel: { source: { kind: 'tree', dir: input.kernelDir, ref: input.commit }, series, ...(seriesVersion ? { seriesVersion } : {}), configFragments: [] },
      named: true,
      repeat: 1,
      outDir: input.outDir,
    });
    const t = result.timings;
    timings = { buildMs: (t.sourceMs ?? 0) + t.kernelBuildMs + t.selftestsBuildMs, bootMs: t.bootMs, runMs: t.runMs, fromStore: t.kernelBuildMs === 0 };
    const c = result.cases[0];
    outcome = c ? { kind: 'case', result: c } : { kind: 'error', message: `the run gave no result for ${rest.cases[0]?.name ?? 'the case'}` };
  } catch (err) {
    if (err instanceof AbortedError && err.exitCode === ExitCode.interrupted) throw err;
    if (ctx.signal.aborted) throw err;
    outcome = outcomeOfError(err);
  }
  const d = decide(outcome, input.policy);
  const record: StepRecord = {
    commit: input.commit,
    subject,
    phase: input.phase,
    verdict: d.verdict,
    step: d.step,
    reason: d.reason,
    ...timings,
    totalMs: Date.now() - t0,
    outDir: input.outDir,
  };
  await mkdir(input.outDir, { recursive: true });
  await writeFile(join(input.outDir, 'step.json'), JSON.stringify(record, null, 2) + '\n');
  return record;
}

function outcomeOfError(err: unknown): StepOutcome {
  if (err instanceof SeriesApplyError) return { kind: 'apply-failed', message: err.message };
  if (err instanceof HarnessError && err.exitCode === ExitCode.buildFailed) return { kind: 'build-failed', message: err.message };
  if (err instanceof HarnessError) return { kind: 'error', message: `[${err.stage}] ${err.message}` };
  return { kind: 'error', message: `internal error: ${(err as Error)?.message ?? String(err)}` };
}

/** Every step of a bisect is also one line of `<out>/steps.jsonl`, in the order they ran. */
export async function recordStep(stepsJsonl: string, record: StepRecord): Promise<void> {
  await appendFile(stepsJsonl, JSON.stringify(record) + '\n');
}

/** One line for people: `bad   1a2b3c4d5e6f KVM: arm64: ... - inject_iabt fail: ... (build 15 s, boot 4 s, run 9 s)`. */
export function describeStep(r: StepRecord): string {
  return `${r.step.padEnd(4)} ${r.commit.slice(0, 12)} ${r.subject} - ${r.reason} (${r.fromStore ? 'kernel from the store' : `build ${formatDuration(r.buildMs)}`}, boot ${formatDuration(r.bootMs)}, run ${formatDuration(r.runMs)})`;
}
