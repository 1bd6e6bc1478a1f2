// One bisect step: the case on one revision of the tree (plus the series), through the run pipeline in the
// one kernel workspace, turned into good / bad / skip. Never throws for a verdict: only an interrupt escapes.
import { appendFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from '../util/context.js';
import { AbortedError } from '../util/errors.js';
import { runPipeline } from '../run/pipeline.js';
import type { LoadedSeries } from '../kernel/series.js';
import type { CaseDefinition } from '../catalog/cases.js';
import type { GuestOptions } from '../guest/options.js';
import type { RunResult } from '../model/result.js';
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
  /** The case that decides, the series (loaded once) applied on every revision, and the guest options. */
  readonly run: { readonly cases: readonly CaseDefinition[]; readonly series: readonly LoadedSeries[]; readonly guest: GuestOptions };
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
  const { cases, series, guest } = input.run;
  const { result, stoppedBy } = await runPipeline(ctx, {
    kernel: { kind: 'plan', plan: { source: { kind: 'tree', dir: input.kernelDir, ref: input.commit }, series, configFragments: [] } },
    cases,
    named: true,
    guest,
    repeat: 1,
    outDir: input.outDir,
  });
  // An interrupt stops the bisect (git bisect run must not take it for a verdict).
  if (ctx.signal.aborted || (stoppedBy instanceof AbortedError && stoppedBy.abortCause === 'interrupt')) throw stoppedBy ?? ctx.signal.reason;
  const t = result.timings;
  const timings = { buildMs: (t.sourceMs ?? 0) + t.kernelBuildMs + t.selftestsBuildMs, bootMs: t.bootMs, runMs: t.runMs, fromStore: t.kernelBuildMs === 0 };
  const d = decide(stepOutcome(result, cases[0]?.name ?? 'the case'), input.policy);
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

/** What the run says about the revision, for the policy: the case's result, or why there is none. */
function stepOutcome(result: RunResult, caseName: string): StepOutcome {
  const message = result.error ? `[${result.error.stage}] ${result.error.message}` : `the run gave no result for ${caseName}`;
  if (result.verdict === 'apply-failed') return { kind: 'apply-failed', message: result.error?.message ?? message };
  if (result.verdict === 'build-failed') return { kind: 'build-failed', message: result.error?.message ?? message };
  const c = result.cases[0];
  if (result.verdict === 'error' || !c) return { kind: 'error', message };
  return { kind: 'case', result: c };
}

/** Every step of a bisect is also one line of `<out>/steps.jsonl`, in the order they ran. */
export async function recordStep(stepsJsonl: string, record: StepRecord): Promise<void> {
  await appendFile(stepsJsonl, JSON.stringify(record) + '\n');
}

/** One line for people: `bad   1a2b3c4d5e6f KVM: arm64: ... - inject_iabt fail: ... (build 15 s, boot 4 s, run 9 s)`. */
export function describeStep(r: StepRecord): string {
  return `${r.step.padEnd(4)} ${r.commit.slice(0, 12)} ${r.subject} - ${r.reason} (${r.fromStore ? 'kernel from the store' : `build ${formatDuration(r.buildMs)}`}, boot ${formatDuration(r.bootMs)}, run ${formatDuration(r.runMs)})`;
}
