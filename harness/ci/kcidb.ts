// The ci result as KCIDB I/O data for KernelCI's dashboard. Pinned to KCIDB I/O schema v4.3
// (kcidb-io, kcidb_io/schema/v04_03.py): objects `checkouts`, `builds`, `tests`; ids are "origin:..."; no
// property may be null (missing ones are left out); test paths are dot-separated [.a-zA-Z0-9_-].
import { createHash } from 'node:crypto';
import type { CiResult } from '../model/ci.js';
import type { RunResult, Verdict } from '../model/result.js';
import { testName } from '../report/outcome.js';

export const KCIDB_VERSION = { major: 4, minor: 3 } as const;
export const KCIDB_ORIGIN = 'sea_harness';

export type KcidbStatus = 'FAIL' | 'ERROR' | 'MISS' | 'PASS' | 'DONE' | 'SKIP';

export interface KcidbDocument {
  readonly version: { readonly major: number; readonly minor: number };
  readonly checkouts: ReadonlyArray<Record<string, unknown>>;
  readonly builds: ReadonlyArray<Record<string, unknown>>;
  readonly tests: ReadonlyArray<Record<string, unknown>>;
}

/** A case verdict as a KCIDB status: a crash is the tested code's fault (FAIL); a timeout or harness error leaves it unknown. */
export function kcidbStatus(v: Verdict): KcidbStatus | null {
  switch (v) {
    case 'pass':
      return 'PASS';
    case 'fail':
    case 'crash':
      return 'FAIL';
    case 'timeout':
      return 'ERROR';
    case 'error':
      return 'MISS';
    case 'skip':
      return 'SKIP';
    case 'absent':
      return null;
  }
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const pathPart = (s: string) => s.replace(/[^a-zA-Z0-9_-]+/g, '_').replace(/^_+|_+$/g, '') || 'unnamed';
/** Leave out undefined and null: KCIDB allows no nulls. */
const clean = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));

export function toKcidb(ci: CiResult, series: RunResult | null, opts: { patches: readonly string[]; startTime: string }): KcidbDocument {
  // KCIDB's patchset hash: sha256 over the newline-terminated sha256 of each patch, in order.
  const patchsetHash = opts.patches.length ? sha256(opts.patches.map((p) => `${sha256(p)}\n`).join('')) : '';
  const checkoutId = `${KCIDB_ORIGIN}:${sha256(`${ci.base.tree ?? ci.base.source}:${patchsetHash}`).slice(0, 32)}`;
  const buildId = `${checkoutId}:arm64`;
  const messageId = ci.provenance.messageIds[0]?.replace(/^<|>$/g, '');
  const checkout = clean({
    id: checkoutId,
    origin: KCIDB_ORIGIN,
    git_commit_hash: ci.base.commit && /^[0-9a-f]{40}$/.test(ci.base.commit) ? ci.base.commit : undefined,
    patchset_hash: patchsetHash,
    message_id: messageId,
    comment: `${ci.base.source} + ${ci.apply.length} patch(es): ${ci.apply[0]?.subject ?? ''}`,
    start_time: opts.startTime,
    valid: ci.apply.every((p) => p.applied),
    // KCIDB I/O 4.3 has no coverage fields: the per-patch figures ride in misc, which the schema leaves free.
    misc: { sea_harness_verdict: ci.verdict, ...(ci.coverage ? { patch_coverage: ci.coverage.patches.map((p) => ({ patch: p.patch, lines_ran: p.ran, lines: p.executable, not_measurable: p.notMeasurable })) } : {}) },
  });
  const builds =
    ci.verdict === 'apply-failed'
      ? []
      : [
          clean({
            id: buildId,
            checkout_id: checkoutId,
            origin: KCIDB_ORIGIN,
            architecture: 'arm64',
            compiler: ci.provenance.gcc ?? undefined,
            config_name: 'sea-harness',
            start_time: opts.startTime,
            duration: series ? (series.timings.kernelBuildMs + series.timings.selftestsBuildMs) / 1000 : undefined,
            valid: ci.build.series === 'ok' && ci.apply.every((p) => p.build !== 'failed'),
            log_excerpt: ci.build.error ? ci.build.error.slice(0, 16384) : undefined,
          }),
        ];
  const tests: Array<Record<string, unknown>> = [];
  for (const c of series?.cases ?? []) {
    const status = kcidbStatus(c.verdict);
    if (!status) continue;
    const path = `kvm.arm64.${pathPart(c.name)}`;
    const comparison = ci.cases.find((x) => x.name === c.name);
    tests.push(
      clean({
        id: `${buildId}:${pathPart(c.name)}`,
        build_id: buildId,
        origin: KCIDB_ORIGIN,
        path,
        status,
        // An expected skip (sea_to_user on QEMU: no EINJ) is not news: waived.
        waived: c.verdict === 'skip' && c.met,
        comment: c.reason ?? undefined,
        duration: c.durationMs / 1000,
        environment: clean({ comment: `QEMU ${series?.guest?.profile ?? ''} (${series?.guest?.accel ?? 'tcg'})` }),
        misc: clean({ expected: c.expected, met: c.met, change: comparison?.change }),
      }),
    );
    for (const [i, sub] of (c.ktap?.tests ?? []).entries()) {
      const subStatus = sub.result === 'pass' ? 'PASS' : sub.result === 'skip' ? 'SKIP' : sub.result === 'fail' ? 'FAIL' : 'ERROR';
      tests.push(clean({ id: `${buildId}:${pathPart(c.name)}:${i + 1}`, build_id: buildId, origin: KCIDB_ORIGIN, path: `${path}.${pathPart(testName(sub))}`, status: subStatus, comment: sub.reason ?? undefined }));
    }
  }
  return { version: KCIDB_VERSION, checkouts: [checkout], builds, tests };
}
