// Turning command-line options into stage inputs (kernel plan, cases), validated up front.
import { DEFAULT_SOURCE, type SourceSpec } from '../kernel/source.js';
import type { KernelPlan } from '../kernel/prepare.js';
import { loadSeriesInputs } from '../kernel/series.js';
import { DEFAULT_CASES, resolveCases, type CaseDefinition } from '../catalog/cases.js';
import { UsageError } from '../util/errors.js';
import type { Context } from '../util/context.js';
import { baseForIntake, fetchSeriesArgs } from '../intake/resolve.js';
import { int, list, str, type ParsedOptions } from './options.js';

export function sourceFromOptions(values: ParsedOptions): SourceSpec {
  const kernel = str(values, 'kernel');
  const ref = str(values, 'ref');
  const debian = str(values, 'debian-version');
  if (kernel && debian) throw new UsageError('--kernel and --debian-version exclude each other', 'use one source');
  if (ref && !kernel) throw new UsageError('--ref needs --kernel DIR (a git tree)');
  if (kernel) return { kind: 'tree', dir: kernel, ref: ref ?? null };
  if (debian) {
    if (!/^\d+\.\d+$/.test(debian)) throw new UsageError(`--debian-version "${debian}": expected X.Y, e.g. 7.3`);
    return { kind: 'debian', series: debian };
  }
  return DEFAULT_SOURCE;
}

/**
 * The kernel plan, with every --series input loaded and validated once (a bad one fails before any work). A series
 * named by Message-ID or archive URL is fetched with b4 first, and its base-commit: picks the base when the tree
 * has it (the choice is written into the base's description).
 */
export async function kernelPlanFromOptions(ctx: Context, values: ParsedOptions): Promise<KernelPlan> {
  const version = int(values, 'series-version');
  const fetched = await fetchSeriesArgs(ctx, list(values, 'series'), { archive: str(values, 'archive') ?? null, ...(version ? { version } : {}) });
  const given = sourceFromOptions(values);
  return {
    source: (await baseForIntake(ctx, fetched.intake, given))?.source ?? given,
    series: await loadSeriesInputs(fetched.paths, version),
    configFragments: list(values, 'config'),
    ...(values.rebuild ? { rebuild: true } : {}),
  };
}

/** The cases named with --case/--selftest, or the defaults; `named` says whether they were named. */
export function casesFromOptions(values: ParsedOptions): { cases: CaseDefinition[]; named: boolean } {
  const names = list(values, 'case');
  const selftests = list(values, 'selftest');
  const named = names.length > 0 || selftests.length > 0;
  return { cases: resolveCases(named ? names : DEFAULT_CASES, selftests), named };
}
