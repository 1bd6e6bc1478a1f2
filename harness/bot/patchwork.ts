// A ci result as patchwork checks (pure): per patch, the body of `POST /api/patches/{id}/checks/` (patchwork's
// CheckCreate, REST API 1.4), found by the patch's Message-ID (`GET /api/patches/?msgid=`, without brackets).
import type { CaseComparison, CiResult, PatchReport } from '../model/ci.js';
import { UsageError } from '../util/errors.js';
import { tally } from './reply.js';

export const PATCHWORK_CHECKS_SCHEMA = 'sea-harness/patchwork-checks@1';
export const DEFAULT_CONTEXT = 'sea-harness-kvm-sea';

/** patchwork/models.py Check.STATE_CHOICES, by their API names. */
export type CheckState = 'pending' | 'success' | 'warning' | 'fail';

/** patchwork's CheckCreate, field for field. */
export interface PatchworkCheck {
  readonly state: CheckState;
  readonly target_url: string | null;
  readonly context: string;
  readonly description: string;
}

export interface PatchworkChecks {
  readonly schema: typeof PATCHWORK_CHECKS_SCHEMA;
  readonly checks: ReadonlyArray<{ readonly message_id: string; readonly patch: number; readonly check: PatchworkCheck }>;
  /** Patches that get no check, and why (never tried, no Message-ID, no result). */
  readonly skipped: ReadonlyArray<{ readonly patch: number; readonly why: string }>;
}

/** Check.context is a Django SlugField(max_length=255): `^[-a-zA-Z0-9_]+\Z`. */
export const CONTEXT_PATTERN = /^[-a-zA-Z0-9_]+$/;
export const CONTEXT_MAX = 255;
/** Check.target_url is a Django URLField: max_length 200 (the API schema's maxLength too). */
export const TARGET_URL_MAX = 200;
/**
 * Check.description is a TextField: patchwork sets no limit. It is shown in one cell of the patch page's checks
 * table, and GitHub's commit statuses (whose shape checks share: state, target_url, context, description) refuse
 * more than 140 characters; 140 keeps it one glance long and mirrorable.
 */
export const DESCRIPTION_MAX = 140;

export interface CheckOptions {
  /** The job's results page; only an http(s) URL of at most 200 characters is sent, else null. */
  readonly targetUrl: string | null;
  readonly context?: string;
}

/** Cut to `max` characters with an ellipsis. */
export function clip(text: string, max = DESCRIPTION_MAX): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length <= max ? one : `${one.slice(0, max - 3).trimEnd()}...`;
}

const regressionText = (cases: readonly CaseComparison[]) => cases.map((c) => `${c.name} (${c.base ?? 'absent'} -> ${c.series ?? 'absent'})`).join(', ');
/** The compile error of build.ts's message, without its preamble (the description has 140 characters). */
const buildError = (s: string | null | undefined) => (s ?? '').split('\n')[0]!.replace(/^the kernel failed to build( in the sandbox)?: /, '');

/**
 * The state of each patch, first rule that holds:
 * - verdict `error` (the test setup failed): no check for any patch; a robot's own failure says nothing of them.
 * - not applied, the first such patch (where git am stopped: the result is `apply-failed`): `fail` ("does not
 *   apply").
 * - not applied otherwise (after the one that failed, or never tried): no check; a `pending` would never end.
 * - its own build failed (the last patch when the series does not build, or patch k with --per-patch): `fail`.
 * - applied, but a later patch did not apply: `warning` (it applies; nothing was built or tested).
 * - the series does not build and this patch was not built alone: `warning` (not tested).
 * - some case regressed: `fail` on the last patch (the series was tested whole: the regression is the series'),
 *   `warning` on the ones before it (not tested without the patches after them).
 * - checkpatch found errors in it: `warning` (checkpatch warnings alone do not lower the state).
 * - otherwise `success`, flaky cases included (a re-run cleared them).
 */
export function checkFor(r: CiResult, p: PatchReport): { state: CheckState; description: string } | { skip: string } {
  const n = r.apply.length;
  const firstUnapplied = r.apply.find((x) => !x.applied);
  const regressed = r.cases.filter((c) => c.change === 'regressed');
  if (r.verdict === 'error') return { skip: 'no result: the test setup failed' };
  if (!p.applied && p === firstUnapplied) return { state: 'fail', description: `does not apply to ${r.base.source}` };
  if (!p.applied) return { skip: 'not tried' };
  if (p.build === 'failed') return { state: 'fail', description: `breaks the build: ${buildError(p.buildError ?? r.build.error)}` };
  if (r.verdict === 'apply-failed') return { state: 'warning', description: `applies; not tested: patch ${firstUnapplied?.patch ?? '?'}/${n} does not apply` };
  if (r.build.series === 'failed') return { state: 'warning', description: `not tested: the series does not build with all ${n} patches` };
  if (regressed.length) {
    if (p.patch === n) return { state: 'fail', description: `regression: ${regressionText(regressed)}` };
    return { state: 'warning', description: `the series regresses ${regressed.map((c) => c.name).join(', ')} (tested with all ${n} patches)` };
  }
  const cp = p.checkpatch;
  if (cp && cp.errors > 0) return { state: 'warning', description: `checkpatch: ${cp.errors} error(s), ${cp.warnings} warning(s); no regressions (${tally(r.cases)})` };
  return { state: 'success', description: `no regressions (${tally(r.cases)})` };
}

export function patchworkChecks(r: CiResult, options: CheckOptions): PatchworkChecks {
  const context = options.context ?? DEFAULT_CONTEXT;
  if (!CONTEXT_PATTERN.test(context) || context.length > CONTEXT_MAX) {
    throw new UsageError(`patchwork check context ${JSON.stringify(context)} is not a slug`, `use 1 to ${CONTEXT_MAX} of letters, digits, '-' and '_' (patchwork's SlugField), e.g. ${DEFAULT_CONTEXT}`);
  }
  const url = options.targetUrl;
  const target_url = url && /^https?:\/\/[^\s]+$/.test(url) && url.length <= TARGET_URL_MAX ? url : null;
  const checks: Array<PatchworkChecks['checks'][number]> = [];
  const skipped: Array<PatchworkChecks['skipped'][number]> = [];
  for (const p of r.apply) {
    const c = checkFor(r, p);
    const messageId = p.messageId?.trim().replace(/^<|>$/g, '') ?? '';
    if ('skip' in c) skipped.push({ patch: p.patch, why: c.skip });
    else if (!messageId) skipped.push({ patch: p.patch, why: 'no Message-ID to find it in patchwork by' });
    else checks.push({ message_id: messageId, patch: p.patch, check: { state: c.state, target_url, context, description: clip(c.description) } });
  }
  return { schema: PATCHWORK_CHECKS_SCHEMA, checks, skipped };
}
