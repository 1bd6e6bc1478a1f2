// `sea-harness run`: the whole pipeline; exit codes per DESIGN.md.
import { resolve } from 'node:path';
import { OUTPUT_FORMATS, renderRun } from '../../report/index.js';
import { runPipeline } from '../../run/pipeline.js';
import { formatCommand } from '../../util/errors.js';
import { COMMON_CASES, COMMON_KERNEL, COMMON_OUTPUT, COVERAGE, int, list, parseCommand, str, type CommandSpec } from '../options.js';
import { UsageError } from '../../util/errors.js';
import { CASE_RUN_OPTIONS, GUEST_OPTIONS, guestOptionsFrom } from '../guest-options.js';
import { formatChoice, formatOption } from '../format.js';
import { casesFromOptions, kernelPlanFromOptions } from '../plan.js';
import type { CommandMain } from '../runtime.js';

export const spec: CommandSpec = {
  name: 'run',
  summary:
    'Build the kernel under test (Debian\'s linux-source-7.3 by default, optionally with --series), boot it as the L1 in QEMU (virt, ras=on, virtualization=on, UEFI + ACPI), run the cases in it over SSH and report. Exit 0: every case met its expectation; 1: one did not; 2: usage; 3: infrastructure; 4: the kernel did not build; 5: the series did not apply; 130: interrupted.',
  usage: 'sea-harness run [--kernel DIR [--ref REV]] [--series PATH ...] [--case NAME ...] [--guest NAME] [--out DIR] [--format LIST]',
  options: [...COMMON_KERNEL, COVERAGE, ...COMMON_CASES, ...CASE_RUN_OPTIONS, ...GUEST_OPTIONS, ...COMMON_OUTPUT, formatOption(OUTPUT_FORMATS, 'every format is also written to --out'),
    { name: 'prebuilt', type: 'string', arg: 'DIR', help: 'boot and test the kernel and selftests in DIR (made by `build --out DIR`, e.g. in an earlier CI job) instead of building' },
  ],
  examples: [
    'npx sea-harness run',
    'npx sea-harness run --series ../shared/series/sea-v2-iabt-on-7.3.mbox --out out/iabt',
    'npx sea-harness run --kernel ~/linux --ref v7.3 --case inject_iabt --format json > result.json',
    'npx sea-harness run --series ../shared/series/sea-v2-iabt-on-7.3.mbox --coverage --out out/cov   # which of the series\' lines ran',
    'npx sea-harness run --prebuilt kernel/ --kvm-mode nvhe --out results/nvhe   # kernel/ from `build --out kernel/`',
  ],
};

export function defaultOutDir(): string {
  return resolve('sea-out', `run-${new Date().toISOString().replace(/[:.]/g, '-').replace(/Z$/, '')}-${process.pid}`);
}

export const main: CommandMain = async (rt, argv) => {
  const { values } = parseCommand(spec, argv);
  const formats = formatChoice(values, OUTPUT_FORMATS);
  const { cases, named } = casesFromOptions(values);
  const outDir = resolve(str(values, 'out') ?? defaultOutDir());
  const prebuilt = str(values, 'prebuilt');
  const coverage = Boolean(values.coverage);
  if (coverage && prebuilt) throw new UsageError('--coverage needs the kernel built by this run: a --prebuilt kernel has no gcov notes', 'drop --prebuilt, or drop --coverage');
  if (coverage && list(values, 'series').length === 0) throw new UsageError('--coverage measures the lines a series adds: give it one with --series PATH', 'e.g. run --series ../shared/series/sea-v2-iabt-on-7.3.mbox --coverage');
  const { result, exitCode, stoppedBy } = await runPipeline(rt.ctx, {
    kernel: prebuilt ? { kind: 'prebuilt', dir: prebuilt } : { kind: 'plan', plan: { ...(await kernelPlanFromOptions(rt.ctx, values)), coverage } },
    coverage,
    cases,
    named,
    guest: await guestOptionsFrom(values, rt.log),
    repeat: int(values, 'repeat') ?? 1,
    outDir,
    onQemuCommand: (cmd) => {
      if (values['show-command']) process.stderr.write(`${formatCommand(cmd)}\n`);
    },
  });
  // What stopped the run, with its command, output tail, log and hint (result.json has the short form).
  if (stoppedBy) process.stderr.write(`sea-harness: ${stoppedBy.describe()}\n`);
  const human = renderRun(result, 'human', { color: Boolean((formats.humanToStderr ? process.stderr : process.stdout).isTTY) }) + `artifacts: ${outDir}\n`;
  if (formats.humanToStderr) {
    process.stderr.write(human);
    process.stdout.write(renderRun(result, formats.stdout, { color: false }));
  } else {
    process.stdout.write(human);
  }
  return exitCode;
};
