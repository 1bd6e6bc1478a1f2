// Turning command-line options into stage inputs (kernel plan, cases), validated up front.
import { DEFAULT_SOURCE, type SourceSpec } from '../kernel/source.js';
import type { KernelPlan } from '../kernel/prepare.js';
import { loadSeriesInputs } from '../kernel/series.js';
import { DEFAULT_CASES, resolveCases, type CaseDefinition } from '../catalog/cases.js';
import { UsageError } from '../util/errors.js';
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

/** The kernel plan, with every --series input loaded and validated once (a bad one fails before any work). */
export async function kernelPlanFromOptions(values: ParsedOptions): Promise<KernelPlan> {
  const source = sourceFromOptions(values);
  return {
    source,
    series: await loadSeriesInputs(list(values, 'series'), int(values, 'series-version')),
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
