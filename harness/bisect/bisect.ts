// `sea-harness bisect`: check that good is good and bad is bad, run `git bisect run` with bisect-step in a
// repository of the bisect's own, then confirm the culprit (it fails N times, its parent passes N times).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from '../util/context.js';
import { exitCodeForBisect, type BisectEnd } from '../run/exit-codes.js';
import type { BisectResult, Candidate, Culprit, StepDecision, StepPhase, StepRecord } from '../model/bisect.js';
import { commitInfo, culpritDoubts } from './commits.js';
import { bisectLog, createBisectRepo, parseBisectLog, resetBisect, runBisect, startBisect } from './git-bisect.js';
import { describeStep, nextStepDir, recordStep, runStep, type StepInput } from './step.js';
import { renderBisectMarkdown } from './report.js';

export interface BisectPlan {
  readonly kernelDir: string;
  /** As the user wrote them (for the report) and as full hashes. */
  readonly goodRev: string;
  readonly badRev: string;
  readonly good: string;
  readonly bad: string;
  readonly confirm: number;
  readonly outDir: string;
  /** The step as run in-process (checks, confirmations), without its commit, phase and directory. */
  readonly step: Omit<StepInput, 'commit' | 'phase' | 'outDir'>;
  /** The same step as a command for `git bisect run`: absolute paths, ending with the options of bisect-step. */
  readonly stepCommand: readonly string[];
}

export interface BisectOutcome {
  readonly result: BisectResult;
  readonly exitCode: number;
}

export function stepsPaths(outDir: string): { root: string; jsonl: string } {
  return { root: join(outDir, 'steps'), jsonl: join(outDir, 'steps.jsonl') };
}

export async function readSteps(jsonl: string): Promise<StepRecord[]> {
  const text = await readFile(jsonl, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as StepRecord);
}

export async function bisect(ctx: Context, plan: BisectPlan): Promise<BisectOutcome> {
  const t0 = Date.now();
  await mkdir(plan.outDir, { recursive: true });
  const paths = stepsPaths(plan.outDir);
  const step = async (commit: string, phase: StepPhase): Promise<StepRecord> => {
    const r = await runStep(ctx, { ...plan.step, commit, phase, outDir: await nextStepDir(paths.root, commit) });
    await recordStep(paths.jsonl, r);
    ctx.log.info(`bisect-step: ${describeStep(r)}`);
    return r;
  };
  const finish = async (fields: Pick<BisectResult, 'culprit' | 'candidates' | 'reason'>, end: BisectEnd): Promise<BisectOutcome> => {
    const result: BisectResult = {
      schema: 'sea-harness/bisect@1',
      case: plan.step.run.cases[0]!.name,
      kernel: plan.kernelDir,
      good: plan.good,
      bad: plan.bad,
      series: plan.step.run.series.map((s) => s.path),
      ...fields,
      steps: await readSteps(paths.jsonl),
      timings: { totalMs: Date.now() - t0 },
    };
    await writeFile(join(plan.outDir, 'bisect.json'), JSON.stringify(result, null, 2) + '\n');
    await writeFile(join(plan.outDir, 'bisect.md'), renderBisectMarkdown(result));
    return { result, exitCode: exitCodeForBisect(end) };
  };

  // Up front: good must be good and bad must be bad, or the bisect would name a wrong commit.
  for (const [which, rev, commit, want] of [['--good', plan.goodRev, plan.good, 'good'], ['--bad', plan.badRev, plan.bad, 'bad']] as const) {
    const r = await step(commit, 'check');
    if (r.step !== want) {
      const infra = r.verdict === 'error';
      return finish(
        { culprit: null, candidates: [], reason: `${which} ${rev} (${commit.slice(0, 12)}) is not ${want}: it gave ${r.step} - ${r.reason}. ${infra ? 'Fix the infrastructure problem and retry.' : `Choose a revision where ${plan.step.run.cases[0]!.name} is ${want === 'good' ? 'met' : 'failing'}.`}` },
        infra ? 'infrastructure' : 'endpoints-wrong',
      );
    }
  }

  const repo = await createBisectRepo(ctx, plan.kernelDir, plan.outDir);
  await startBisect(ctx, repo, plan.bad, plan.good);
  const runLog = join(plan.outDir, 'git-bisect-run.log');
  await runBisect(ctx, repo, plan.stepCommand, runLog, (line) => {
    if (line.startsWith('Bisecting:')) ctx.log.info(`bisect: ${line}`);
    else if (line.startsWith('bisect-step: ')) ctx.log.info(line);
  });
  const log = await bisectLog(ctx, repo);
  await writeFile(join(plan.outDir, 'bisect-log.txt'), log);
  await resetBisect(ctx, repo);
  const conclusion = parseBisectLog(log);
  const steps = await readSteps(paths.jsonl);

  if (conclusion.firstBad) {
    const info = await commitInfo(ctx, plan.kernelDir, conclusion.firstBad);
    const parent = info.parents[0] ?? null;
    const culpritRuns: StepDecision[] = [];
    const parentRuns: StepDecision[] = [];
    for (let i = 0; i < plan.confirm; i++) culpritRuns.push((await step(info.commit, 'confirm')).step);
    if (parent) for (let i = 0; i < plan.confirm; i++) parentRuns.push((await step(parent, 'confirm')).step);
    const confirmed = plan.confirm > 0 && parent !== null && culpritRuns.every((d) => d === 'bad') && parentRuns.every((d) => d === 'good');
    const culprit: Culprit = { ...info, confirmed, confirmation: { culprit: culpritRuns, parent: parentRuns }, doubts: culpritDoubts(info) };
    const reason = confirmed
      ? null
      : plan.confirm === 0
        ? 'not confirmed: --confirm 0'
        : `not confirmed: the culprit gave ${culpritRuns.join(', ')} (all bad needed) and its parent ${parentRuns.join(', ') || 'nothing (no parent)'} (all good needed): the case may be flaky here`;
    return finish({ culprit, candidates: [], reason }, confirmed ? 'confirmed' : 'unconfirmed');
  }

  if (conclusion.possible.length > 0) {
    const candidates: Candidate[] = [];
    for (const c of conclusion.possible) {
      const info = await commitInfo(ctx, plan.kernelDir, c);
      const tested = steps.filter((s) => s.commit === c);
      const skipped = tested.find((s) => s.step === 'skip');
      const why = skipped
        ? `skipped: ${skipped.reason}`
        : tested.some((s) => s.step === 'bad')
          ? 'tested bad: the first bad commit if the skipped commits before it are good'
          : 'not tested: git bisect cannot place it because of the skipped commits around it';
      candidates.push({ ...info, why });
    }
    const skippedOnes = candidates.filter((c) => c.why.startsWith('skipped'));
    const reason = `git bisect could not tell ${candidates.length} commits apart because ${skippedOnes.length} of them could not be tested (${skippedOnes.map((c) => `${c.commit.slice(0, 12)}: ${c.why}`).join('; ')}): the first bad commit is one of the candidates`;
    return finish({ culprit: null, candidates, reason }, 'candidates');
  }

  return finish({ culprit: null, candidates: [], reason: `git bisect run ended without naming a commit: see ${runLog} and bisect-log.txt` }, 'infrastructure');
}
