// `sea-harness bisect-step`: one step for `git bisect run`: exit 0 good, 1 bad, 125 skip (DESIGN.md), 128 for a
// usage error (git bisect run stops on codes >= 128: a mistyped option must not skip every commit).
import { resolve } from 'node:path';
import { run } from '../../util/exec.js';
import { AbortedError, HarnessError, UsageError } from '../../util/errors.js';
import { checkGitTree, resolveCommit } from '../../bisect/commits.js';
import { EXIT_FOR } from '../../bisect/policy.js';
import { describeStep, nextStepDir, recordStep, runStep } from '../../bisect/step.js';
import { stepsPaths } from '../../bisect/bisect.js';
import type { StepPhase } from '../../model/bisect.js';
import { COMMON_OUTPUT, oneOf, parseCommand, str, type CommandSpec } from '../options.js';
import { STEP_OPTIONS, stepFromOptions } from '../bisect-options.js';
import { formatChoice, formatOption } from '../format.js';
import type { CommandMain, Runtime } from '../runtime.js';

export const USAGE_EXIT = 128;

export const spec: CommandSpec = {
  name: 'bisect-step',
  summary:
    'Test one revision of a kernel git tree with one case, for `git bisect run`: the revision is fetched into the kernel workspace (your checkout is only read), built incrementally or taken from the artifact store, booted, and the case run. Exit 0 good (the case met its expectation), 1 bad (fail; crash unless --crash skip), 125 skip (build failure unless --build-failure bad, timeout unless --timeout-verdict bad, series not applying, case absent, infrastructure or harness error), 128 usage error (stops git bisect run). These are NOT the exit codes of `run`.',
  usage: 'sea-harness bisect-step --case NAME [--kernel DIR] [--ref REV] [--series PATH ...] [--crash skip] [--build-failure bad] [--timeout-verdict bad]',
  options: [
    { name: 'kernel', type: 'string', arg: 'DIR', help: 'the kernel git tree (default: the current directory, where git bisect run starts the step)' },
    { name: 'ref', type: 'string', arg: 'REV', help: 'the revision to test (default: BISECT_HEAD of a --no-checkout bisect, else HEAD of --kernel)' },
    ...STEP_OPTIONS,
    { name: 'step-root', type: 'string', arg: 'DIR', help: 'write this step under DIR/steps/NN-<commit> and append it to DIR/steps.jsonl (what `bisect` passes)' },
    { name: 'phase', type: 'string', arg: 'PHASE', help: 'recorded with the step: by-hand (default), bisect, check or confirm' },
    ...COMMON_OUTPUT,
    formatOption(['human', 'json'], 'human goes to standard error, json (the step record) to standard output'),
  ],
  examples: [
    'cd ~/linux && git bisect start v7.4 v7.3 && git bisect run /path/to/sea-harness/bin/sea-harness.js bisect-step --case inject_iabt',
    'npx sea-harness bisect-step --kernel ~/linux --ref HEAD~3 --case inject_iabt --format json',
  ],
};

/**
 * BISECT_HEAD of the bisect that started this step (a --no-checkout bisect), read with the GIT_DIR that git
 * bisect run exports; null when there is none (a checkout bisect, or a step run by hand).
 */
async function bisectHead(rt: Runtime): Promise<string | null> {
  const r = await run(rt.ctx, 'git', ['rev-parse', '--verify', '-q', 'BISECT_HEAD^{commit}'], { stage: 'bisect', reject: false });
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

/** git bisect run exports GIT_DIR (and may export more) for the repository it bisects: none of it may reach the git commands run on the user's tree or in the kernel workspace. */
function dropGitEnvironment(): void {
  for (const v of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_PREFIX', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES']) delete process.env[v];
}

export const main: CommandMain = async (rt, argv) => {
  try {
    const { values } = parseCommand(spec, argv);
    const ref = str(values, 'ref');
    const head = ref ? null : await bisectHead(rt);
    dropGitEnvironment();
    const kernelDir = await checkGitTree(rt.ctx, str(values, 'kernel') ?? process.cwd());
    // The revision: --ref, else BISECT_HEAD, else the tree's HEAD.
    const commit = ref ? await resolveCommit(rt.ctx, kernelDir, ref, '--ref') : head ?? (await resolveCommit(rt.ctx, kernelDir, 'HEAD', '--kernel (its HEAD)'));
    const step = await stepFromOptions(values, rt.log);
    const phase: StepPhase = oneOf(values, 'phase', ['by-hand', 'bisect', 'check', 'confirm'] as const) ?? 'by-hand';
    const root = str(values, 'step-root');
    const paths = root ? stepsPaths(resolve(root)) : null;
    const outDir = paths ? await nextStepDir(paths.root, commit) : resolve(str(values, 'out') ?? `sea-out/bisect-step-${commit.slice(0, 12)}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    const record = await runStep(rt.ctx, { ...step, kernelDir, commit, phase, outDir });
    if (paths) await recordStep(paths.jsonl, record);
    process.stderr.write(`bisect-step: ${describeStep(record)}\n`);
    if (formatChoice(values, ['human', 'json'] as const).stdout === 'json') process.stdout.write(JSON.stringify(record, null, 2) + '\n');
    else process.stderr.write(`bisect-step: artifacts: ${outDir}\n`);
    return EXIT_FOR[record.step];
  } catch (err) {
    if (err instanceof AbortedError || rt.abortReason() !== null) throw err;
    if (err instanceof UsageError) {
      process.stderr.write(`sea-harness: ${err.describe()}\nbisect-step: exit ${USAGE_EXIT} (a usage error stops git bisect run)\n`);
      return USAGE_EXIT;
    }
    process.stderr.write(`sea-harness: ${err instanceof HarnessError ? err.describe() : `internal error: ${(err as Error)?.stack ?? String(err)}`}\nbisect-step: skip (exit 125): not a verdict on this commit\n`);
    return EXIT_FOR.skip;
  }
};
