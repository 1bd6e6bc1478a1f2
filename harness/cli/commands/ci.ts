// `sea-harness ci`: base vs base+series for patch CI bots; exit codes per DESIGN.md.
import { resolve } from 'node:path';
import { runCi } from '../../ci/ci.js';
import { renderCiMarkdown } from '../../ci/report.js';
import { UsageError } from '../../util/errors.js';
import { COMMON_CASES, COMMON_KERNEL, COMMON_OUTPUT, list, parseCommand, str, type CommandSpec } from '../options.js';
import { CASE_RUN_OPTIONS, GUEST_OPTIONS, guestOptionsFrom } from '../guest-options.js';
import { formatChoice, formatOption } from '../format.js';
import { casesFromOptions, kernelPlanFromOptions } from '../plan.js';
import type { CommandMain } from '../runtime.js';

const FORMATS = ['human', 'json', 'markdown'] as const;

export const spec: CommandSpec = {
  name: 'ci',
  summary:
    'Bot mode: run the cases on the base and on base+series in the one kernel workspace (the base\'s kernel and results are reused across series), compare case by case and subtest by subtest, re-run a regression on both sides to tell it from a flake; report apply status per patch, checkpatch, new W=1 and selftest warnings. Writes ci.json, report.md, junit.xml (series side) and kcidb.json (KCIDB I/O v5.3). Exit 0: nothing changed for the worse; 1: regressed; 3: infrastructure (including a base that does not build); 4: the series breaks the build; 5: it does not apply; 130: interrupted.',
  usage: 'sea-harness ci [--kernel DIR --base REV] --series PATH [--case NAME ...] [--per-patch] [--out DIR] [--format human|json|markdown]',
  options: [
    { name: 'base', type: 'string', arg: 'REV', help: 'base revision of --kernel (default: Debian\'s 7.3 source when no --kernel)' },
    { name: 'per-patch', type: 'boolean', help: 'also build after each patch, to name one that breaks the build in the middle of the series' },
    { name: 'fresh-base', type: 'boolean', help: 'run the base\'s cases again even when their results are cached' },
    { name: 'no-coverage', type: 'boolean', help: 'skip patch coverage (on by default in ci: the series\' C files are rebuilt with gcov and the report says which of each patch\'s kernel lines ran)' },
    ...COMMON_KERNEL.filter((o) => o.name !== 'ref'),
    ...COMMON_CASES.filter((o) => o.name !== 'repeat'),
    ...CASE_RUN_OPTIONS,
    ...GUEST_OPTIONS,
    ...COMMON_OUTPUT,
    formatOption(FORMATS, 'ci.json, report.md, junit.xml and kcidb.json are always written to --out'),
  ],
  examples: [
    'npx sea-harness ci --series ../shared/series/sea-v2-iabt-on-7.3.mbox --out out/ci',
    'npx sea-harness ci --kernel ~/linux --base v7.3 --series series.mbox --per-patch --format json > ci.json',
  ],
};

export const main: CommandMain = async (rt, argv) => {
  const { values } = parseCommand(spec, argv);
  const series = list(values, 'series');
  if (series.length === 0) throw new UsageError('ci needs the series to test: --series PATH (an mbox, a .patch file or a directory)', `usage: ${spec.usage}`);
  const base = str(values, 'base');
  if (base && !str(values, 'kernel')) throw new UsageError('--base needs --kernel DIR (a git tree)', 'without --kernel the base is Debian\'s 7.3 source');
  if (str(values, 'kernel') && !base) throw new UsageError('--kernel needs --base REV: the revision the series applies to');
  const format = formatChoice(values, FORMATS).stdout;
  const { cases, named } = casesFromOptions(values);
  const outDir = resolve(str(values, 'out') ?? `sea-out/ci-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  const { result, exitCode } = await runCi(rt.ctx, {
    kernel: await kernelPlanFromOptions(rt.ctx, { ...values, ...(base ? { ref: base } : {}) }),
    coverage: !values['no-coverage'],
    cases,
    named,
    guest: await guestOptionsFrom(values, rt.log),
    perPatch: Boolean(values['per-patch']),
    freshBase: Boolean(values['fresh-base']),
    outDir,
  });
  const human = renderCiMarkdown(result) + `artifacts: ${outDir} (ci.json, report.md, junit.xml, kcidb.json, base/, series/)\n`;
  if (format === 'json') {
    process.stderr.write(human);
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  } else process.stdout.write(format === 'markdown' ? renderCiMarkdown(result) : human);
  return exitCode;
};
