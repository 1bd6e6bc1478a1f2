// The `sea-harness/ci@1` document and its files (ci.json, report.md, kcidb.json, junit.xml) from what the ci
// stages gave; the one place a ci run's verdict becomes its exit code.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { harnessVersion } from '../util/project.js';
import type { LoadedSeries } from '../kernel/series.js';
import type { PreparedKernel } from '../kernel/prepare.js';
import type { RunResult } from '../model/result.js';
import type { CiResult, CiVerdict, PatchReport } from '../model/ci.js';
import type { Confinement } from '../util/sandbox.js';
import type { GuestOptions } from '../guest/options.js';
import { renderRun } from '../report/index.js';
import { exitCodeForCi } from '../run/exit-codes.js';
import { toKcidb } from './kcidb.js';
import { renderCiMarkdown } from './report.js';

export interface CiOutcome {
  readonly result: CiResult;
  readonly exitCode: number;
}

/** What the ci stages found so far; what was not reached is null. */
export interface CiEvidence {
  readonly series: readonly LoadedSeries[];
  readonly guest: GuestOptions;
  readonly baseSource: string;
  readonly baseKernel: PreparedKernel | null;
  readonly base: RunResult | null;
  readonly baseReused: boolean;
  readonly seriesRun: RunResult | null;
  readonly apply: readonly PatchReport[];
  readonly startedAt: number;
}

/** Each patch of the series before anything was tried: not applied, not built. */
export function initialApply(series: readonly LoadedSeries[]): PatchReport[] {
  return series.flatMap((s) => s.patches).map((p, i) => ({ patch: i + 1, subject: p.title, messageId: p.messageId, applied: false, build: 'not-built' }));
}

export async function finishCi(outDir: string, e: CiEvidence, verdict: CiVerdict, fields: Partial<CiResult>): Promise<CiOutcome> {
  const patches = e.series.flatMap((s) => s.patches);
  const bk = e.baseKernel;
  const result: CiResult = {
    schema: 'sea-harness/ci@1',
    verdict,
    base: { commit: bk?.source.userCommit ?? bk?.source.baseCommit ?? null, tree: bk?.source.tree ?? null, source: bk?.source.description ?? e.baseSource, reused: e.baseReused },
    seriesTree: e.seriesRun?.kernel.tree ?? null,
    apply: e.apply,
    build: { base: bk ? 'ok' : 'failed', series: 'not-built', newWarnings: [], newSelftestWarnings: [] },
    cases: [],
    provenance: {
      harness: harnessVersion(),
      series: e.series.map((s) => s.path),
      messageIds: patches.map((p) => p.messageId).filter((m): m is string => m !== null),
      guest: e.guest.profile.name,
      qemu: e.base?.provenance.qemu ?? null,
      gcc: e.base?.provenance.gcc ?? null,
      ...(sandboxOf(e) ? { sandbox: sandboxOf(e) } : {}),
    },
    reason: null,
    ...(e.seriesRun?.coverage ? { coverage: e.seriesRun.coverage } : {}),
    ...(e.seriesRun?.coverageError ? { coverageError: e.seriesRun.coverageError } : {}),
    timings: { totalMs: Date.now() - e.startedAt },
    ...fields,
  };
  await writeFile(join(outDir, 'ci.json'), JSON.stringify(result, null, 2) + '\n');
  await writeFile(join(outDir, 'report.md'), renderCiMarkdown(result));
  const kcidb = toKcidb(result, e.seriesRun, { patches: patches.map((p) => p.raw), startTime: new Date(e.startedAt).toISOString() });
  await writeFile(join(outDir, 'kcidb.json'), JSON.stringify(kcidb, null, 2) + '\n');
  if (e.seriesRun) await writeFile(join(outDir, 'junit.xml'), renderRun(e.seriesRun, 'junit', { color: false }));
  return { result, exitCode: exitCodeForCi(verdict) };
}

/** The series side's confinement (what matters: its code is the stranger's), else the base side's. */
function sandboxOf(e: CiEvidence): Confinement | undefined {
  return e.seriesRun?.provenance.sandbox ?? e.base?.provenance.sandbox;
}
