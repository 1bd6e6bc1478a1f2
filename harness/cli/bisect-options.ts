// What `bisect` and `bisect-step` share: the options of a step (case, series, guest, policy), turned into the
// step's run inputs, and passed on from `bisect` to the bisect-step command that `git bisect run` runs.
import { resolveCases } from '../catalog/cases.js';
import { UsageError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { DEFAULT_POLICY, type StepPolicy } from '../bisect/policy.js';
import type { StepInput } from '../bisect/step.js';
import { loadSeriesInputs } from '../kernel/series.js';
import type { Context } from '../util/context.js';
import { fetchSeriesArgs } from '../intake/resolve.js';
import { NO_SANDBOX, int, list, oneOf, str, type OptionSpec, type ParsedOptions } from './options.js';
import { CASE_RUN_OPTIONS, GUEST_OPTIONS, guestOptionsFrom } from './guest-options.js';

export const STEP_OPTIONS: readonly OptionSpec[] = [
  { name: 'case', type: 'string', arg: 'NAME', help: 'the case whose verdict decides (from cases/, e.g. inject_iabt)' },
  { name: 'selftest', type: 'string', arg: 'DIR/NAME', help: 'or an ad-hoc case: any KVM selftest of the tree, e.g. arm64/external_aborts' },
  { name: 'series', type: 'string', multiple: true, arg: 'PATH|msgid:ID|URL', help: 'series applied on top of every revision (repeatable, in order); msgid: and archive URLs are fetched once with b4' },
  { name: 'archive', type: 'string', arg: 'URL', help: 'public-inbox archive for msgid: series (default $SEA_HARNESS_ARCHIVE, else https://lore.kernel.org/all)' },
  { name: 'series-version', type: 'string', arg: 'N', help: 'which version of the series to take from a thread mbox (default: the newest)' },
  { name: 'crash', type: 'string', arg: 'bad|skip', help: 'how a kernel crash during the case counts (default bad)' },
  { name: 'build-failure', type: 'string', arg: 'skip|bad', help: 'how a kernel that does not build counts (default skip)' },
  { name: 'timeout-verdict', type: 'string', arg: 'skip|bad', help: 'how a case timeout counts (default skip: under TCG often the emulation)' },
  ...CASE_RUN_OPTIONS.filter((o) => o.name === 'timeout'),
  ...GUEST_OPTIONS.filter((o) => o.name !== 'show-command'),
  NO_SANDBOX,
];

/** Options whose values are paths: made absolute before `bisect` passes them on (git runs the step elsewhere). */
const PATH_OPTIONS = new Set(['series', 'qemu', 'bios']);

export function policyFromOptions(values: ParsedOptions): StepPolicy {
  return {
    crash: oneOf(values, 'crash', ['bad', 'skip'] as const) ?? DEFAULT_POLICY.crash,
    buildFailure: oneOf(values, 'build-failure', ['skip', 'bad'] as const) ?? DEFAULT_POLICY.buildFailure,
    timeout: oneOf(values, 'timeout-verdict', ['skip', 'bad'] as const) ?? DEFAULT_POLICY.timeout,
  };
}

/**
 * --series arguments that name a thread fetched once with b4 (the base is bisect's --good/--bad, so a base-commit:
 * is not used): the values with those arguments replaced by the fetched directories, which the steps then read.
 */
export async function fetchThreadSeries(ctx: Context, values: ParsedOptions): Promise<ParsedOptions> {
  const args = list(values, 'series');
  if (args.length === 0) return values;
  const version = int(values, 'series-version');
  const fetched = await fetchSeriesArgs(ctx, args, { archive: str(values, 'archive') ?? null, ...(version ? { version } : {}) });
  return fetched.intake.length === 0 ? values : { ...values, series: [...fetched.paths] };
}

/** The step's inputs but the tree, commit, phase and directory; every option checked here, before any work. */
export async function stepFromOptions(values: ParsedOptions, log: Logger): Promise<Omit<StepInput, 'kernelDir' | 'commit' | 'phase' | 'outDir'>> {
  const name = str(values, 'case');
  const selftest = str(values, 'selftest');
  if (!name === !selftest) throw new UsageError(name ? '--case and --selftest exclude each other: a bisect decides on one case' : 'a bisect step needs the case that decides: --case NAME or --selftest DIR/NAME', 'e.g. --case inject_iabt');
  const cases = resolveCases(name ? [name] : [], selftest ? [selftest] : []);
  const seriesVersion = int(values, 'series-version');
  return {
    policy: policyFromOptions(values),
    run: { cases, series: await loadSeriesInputs(list(values, 'series'), seriesVersion), guest: await guestOptionsFrom(values, log) },
  };
}

/** `--name value` pairs for every step option the user gave to `bisect`, to pass on to each `bisect-step`. */
export function forwardedArgs(values: ParsedOptions, absolutePath: (p: string) => string): string[] {
  const args: string[] = [];
  for (const { name } of STEP_OPTIONS) {
    if (values[name] === true) args.push(`--${name}`);
    for (const v of list(values, name)) args.push(`--${name}`, PATH_OPTIONS.has(name) ? absolutePath(v) : v);
  }
  return args;
}
