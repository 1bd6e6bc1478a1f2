// `sea-harness bisect`: git bisect over a kernel tree with one case as the test, in a repository of its own
// (your checkout and its bisect state are never touched), steps built incrementally in the kernel workspace.
import { resolve } from 'node:path';
import { bisect } from '../../bisect/bisect.js';
import { checkGitTree, isAncestor, resolveCommit } from '../../bisect/commits.js';
import { renderBisectHuman } from '../../bisect/report.js';
import { SeriesIncompleteError, UsageError } from '../../util/errors.js';
import { cliPath } from '../../util/project.js';
import { COMMON_OUTPUT, int, parseCommand, str, type CommandSpec } from '../options.js';
import { STEP_OPTIONS, fetchThreadSeries, forwardedArgs, stepFromOptions } from '../bisect-options.js';
import { formatChoice, formatOption } from '../format.js';
import type { CommandMain } from '../runtime.js';

export const spec: CommandSpec = {
  name: 'bisect',
  summary:
    'Find the commit of a kernel git tree that broke a case: check that --good is good and --bad is bad, run `git bisect run` with bisect-step (in a bare repository of its own under --out: your checkout, index, HEAD and bisect state are never touched), then confirm the culprit by re-running it and its parent --confirm times each. Writes bisect.json, bisect.md, steps.jsonl and every step\'s artifacts. Exit 0: a confirmed culprit; 1: none confirmed (candidates, or the confirmation failed); 2: usage, including a --good that is not good or a --bad that is not bad; 3: infrastructure; 130: interrupted.',
  usage: 'sea-harness bisect --kernel DIR --good REV --bad REV --case NAME [--series PATH ...] [--confirm N] [--out DIR] [--format human|json]',
  options: [
    { name: 'kernel', type: 'string', arg: 'DIR', help: 'the kernel git tree (only read)' },
    { name: 'good', type: 'string', arg: 'REV', help: 'a revision where the case meets its expectation' },
    { name: 'bad', type: 'string', arg: 'REV', help: 'a later revision where it fails' },
    { name: 'confirm', type: 'string', arg: 'N', help: 're-run the culprit and its parent N times each (default 2; 0: no confirmation)' },
    ...STEP_OPTIONS,
    ...COMMON_OUTPUT,
    formatOption(['human', 'json'], 'bisect.json and bisect.md are always written to --out'),
  ],
  examples: [
    'npx sea-harness bisect --kernel ~/linux --good v7.3 --bad HEAD --case inject_iabt --series ../shared/series/sea-v2-iabt-on-7.3.mbox',
    'npx sea-harness bisect --kernel ~/linux --good abc123 --bad def456 --case inject_iabt --out out/bisect --format json > bisect.json',
  ],
};

export const main: CommandMain = async (rt, argv) => {
  const parsed = parseCommand(spec, argv).values;
  const given = str(parsed, 'kernel');
  const goodRev = str(parsed, 'good');
  const badRev = str(parsed, 'bad');
  if (!given || !goodRev || !badRev) throw new UsageError('bisect needs --kernel DIR, --good REV and --bad REV', `usage: ${spec.usage}`);
  const format = formatChoice(parsed, ['human', 'json'] as const).stdout;
  const kernelDir = await checkGitTree(rt.ctx, given);
  const good = await resolveCommit(rt.ctx, kernelDir, goodRev, '--good');
  const bad = await resolveCommit(rt.ctx, kernelDir, badRev, '--bad');
  if (good === bad) throw new UsageError(`--good ${goodRev} and --bad ${badRev} are the same commit`);
  if (!(await isAncestor(rt.ctx, kernelDir, good, bad))) throw new UsageError(`--good ${goodRev} is not an ancestor of --bad ${badRev}`, 'bisect looks for the first bad commit after a good one: give a good revision older than the bad one');
  // A thread named by Message-ID is fetched once here; every step applies the same fetched patches.
  const values = await fetchThreadSeries(rt.ctx, parsed);
  // A series missing patches is the user's input to fix before any step: exit 2 (bisect has no 5; DESIGN.md).
  const step = await stepFromOptions(values, rt.log).catch((err: unknown) => {
    throw err instanceof SeriesIncompleteError ? new UsageError(err.message, err.hint) : err;
  });
  const confirm = int(values, 'confirm', 0) ?? 2;
  const outDir = resolve(str(values, 'out') ?? `sea-out/bisect-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const stepCommand = [process.execPath, cliPath(), 'bisect-step', '--kernel', kernelDir, '--step-root', outDir, '--phase', 'bisect', ...forwardedArgs(values, (p) => resolve(p))];
  rt.log.info(`bisect: ${kernelDir} good ${good.slice(0, 12)} bad ${bad.slice(0, 12)}, case ${step.run.cases[0]!.name}; artifacts in ${outDir}`);
  const { result, exitCode } = await bisect(rt.ctx, { kernelDir, goodRev, badRev, good, bad, confirm, outDir, step: { ...step, kernelDir }, stepCommand });
  const human = renderBisectHuman(result) + `artifacts: ${outDir} (bisect.json, bisect.md, steps/)\n`;
  if (format === 'json') {
    process.stderr.write(human);
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  } else process.stdout.write(human);
  return exitCode;
};
