// The ci result as KCIDB I/O data for KernelCI's dashboard: schema v5.3, the newest of kcidb-io
// (kcidb_io/schema/v05_03.py; the JSON Schema and how it was extracted are in ci/fixtures/kcidb/). Objects
// `checkouts`, `builds`, `tests`; ids are "origin:..."; no property may be null and no string may hold a NUL
// (missing ones are left out); test paths are dot-separated [a-zA-Z0-9_-] components.
import { createHash } from 'node:crypto';
import type { CiResult } from '../model/ci.js';
import type { TestResult, KtapTest } from '../model/ktap.js';
import type { CaseResult, RunResult, Verdict } from '../model/result.js';
import { testName } from '../report/outcome.js';

export const KCIDB_VERSION = { major: 5, minor: 3 } as const;
export const KCIDB_ORIGIN = 'sea_harness';

export type KcidbStatus = 'FAIL' | 'ERROR' | 'MISS' | 'PASS' | 'DONE' | 'SKIP';

export interface KcidbDocument {
  readonly version: { readonly major: number; readonly minor: number };
  readonly checkouts: ReadonlyArray<Record<string, unknown>>;
  readonly builds: ReadonlyArray<Record<string, unknown>>;
  readonly tests: ReadonlyArray<Record<string, unknown>>;
}

/**
 * A case verdict as a KCIDB status, by the schema's definitions ($defs.status): a crash is the tested code's fault
 * (FAIL); a timeout is a test that did not complete, the code's state unknown (ERROR); a harness error means the
 * test did not run (MISS); an absent case is not reported.
 *
 * A skip is SKIP whether or not it was expected. v5.0 removed the test's `waived` (kcidb-io c8f1122, "Replace
 * waived field with an incident"): a waived v4 test becomes an incident of the one issue "Test waived as
 * unreliable" (v05_00.py, _inherit). An expected skip (sea_to_user without EINJ) is not an unreliable test: it is
 * what SKIP means, "not applicable, and the status of both the test and the tested code is unknown", and SKIP is
 * the lowest priority, so it never raises a build's summary status. That it was expected goes in the test's misc.
 */
const CASE_STATUS: Readonly<Record<Verdict, KcidbStatus | null>> = {
  pass: 'PASS',
  fail: 'FAIL',
  crash: 'FAIL',
  timeout: 'ERROR',
  error: 'MISS',
  skip: 'SKIP',
  absent: null,
};

/**
 * A KTAP result as a KCIDB status. kselftest counts XFAIL and XPASS as passes (ksft_finished(); KernelCI's
 * parse-output.py reports an `ok ... # XFAIL` line as pass); a TODO test ran but its result is no verdict on the
 * code (DONE); a subtest that timed out or errored did not complete (ERROR).
 */
const SUBTEST_STATUS: Readonly<Record<TestResult, KcidbStatus>> = {
  pass: 'PASS',
  xpass: 'PASS',
  xfail: 'PASS',
  fail: 'FAIL',
  skip: 'SKIP',
  todo: 'DONE',
  timeout: 'ERROR',
  error: 'ERROR',
};

export function kcidbStatus(v: Verdict): KcidbStatus | null {
  return CASE_STATUS[v];
}

export function kcidbSubtestStatus(r: TestResult): KcidbStatus {
  return SUBTEST_STATUS[r];
}

/**
 * One component of a test path as KernelCI writes it: Linaro test-definitions'
 * automated/linux/kselftest/parse-output.py (slugify, 81eaa21), which KernelCI's kselftest jobs run
 * (kernelci-core config/runtime/tests/kselftest.jinja2). An empty one is "unknown": parse-output.py names a nameless
 * test "<unknown>", and a KCIDB path has no empty components.
 */
export function kselftestSlug(s: string): string {
  const slug = s
    .replace(/\[\d{1,5}\]/g, '')
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/^_|_$/g, '')
    .replace(/_-/g, '__');
  return slug || 'unknown';
}

/**
 * A case's path as KernelCI names the same test. Its kselftest jobs report `kselftest.<collection>` (kernelci-pipeline
 * config/jobs.yaml: job kselftest-kvm has kcidb_test_suite "kselftest.kvm"), then the test as parse-output.py names
 * it from the runner's `selftests: kvm: NAME` line: "kvm_NAME". The runner prints the binary's basename
 * (tools/testing/selftests/kselftest/runner.sh, TEST_HDR_MSG; lib.mk's emit_tests lists `kvm:NAME`), so
 * arm64/sea_to_user is `kselftest.kvm.kvm_sea_to_user`, not ...kvm_arm64_sea_to_user: KernelCI's mails show
 * arm64/arch_timer_edge_cases as `kselftest.kvm.kvm_arch_timer_edge_cases` ("[STATUS] stable/linux-6.12.y -
 * 2538fbeff8a9", 2026-05-18). Every case is a KVM selftest and its name is its binary's (cases/runner.ts runs
 * /opt/sea/<name>).
 */
export function kselftestPath(caseName: string): string {
  return `kselftest.kvm.${kselftestSlug(`kvm: ${caseName}`)}`;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
/** v5.0 prohibits NUL in every string (outside misc). */
const text = (s: string) => s.replace(/\0/g, '');
/** log_excerpt holds at most 16384 characters. */
const excerpt = (s: string) => text(s).slice(0, 16384);
/** Leave out undefined and null: KCIDB allows no nulls. */
const clean = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));
/** message_id has format "email": the Message-ID without its angle brackets, when it has the local@domain form. */
const messageId = (m: string | undefined) => {
  const id = m?.replace(/^<|>$/g, '');
  return id !== undefined && /^[^\s@<>]+@[^\s@<>]+$/.test(id) ? id : undefined;
};

export function toKcidb(ci: CiResult, series: RunResult | null, opts: { patches: readonly string[]; startTime: string }): KcidbDocument {
  // KCIDB's patchset hash: sha256 over the newline-terminated sha256 of each patch, in order.
  const patchsetHash = opts.patches.length ? sha256(opts.patches.map((p) => `${sha256(p)}\n`).join('')) : '';
  const checkoutId = `${KCIDB_ORIGIN}:${sha256(`${ci.base.tree ?? ci.base.source}:${patchsetHash}`).slice(0, 32)}`;
  const buildId = `${checkoutId}:arm64`;
  const applied = ci.apply.every((p) => p.applied);
  const checkout = clean({
    id: checkoutId,
    origin: KCIDB_ORIGIN,
    git_commit_hash: ci.base.commit && /^[0-9a-f]{40}$/.test(ci.base.commit) ? ci.base.commit : undefined,
    patchset_hash: patchsetHash,
    message_id: messageId(ci.provenance.messageIds[0]),
    comment: text(`${ci.base.source} + ${ci.apply.length} patch(es): ${ci.apply[0]?.subject ?? ''}`),
    start_time: opts.startTime,
    valid: applied,
    log_excerpt: !applied && ci.reason ? excerpt(ci.reason) : undefined,
    // KCIDB I/O 5.3 has no coverage fields: the per-patch figures ride in misc, which the schema leaves free.
    misc: { sea_harness_verdict: ci.verdict, ...(ci.coverage ? { patch_coverage: ci.coverage.patches.map((p) => ({ patch: p.patch, lines_ran: p.ran, lines: p.executable, not_measurable: p.notMeasurable })) } : {}) },
  });
  // The build is the series' last tree, the one the tests ran on: PASS or FAIL is its build, MISS when it was not
  // reached. A patch in the middle that breaks the build (--per-patch) is not this build's failure: misc names it.
  const brokenBy = ci.apply.filter((p) => p.build === 'failed').map((p) => p.patch);
  const builds =
    ci.verdict === 'apply-failed'
      ? []
      : [
          clean({
            id: buildId,
            checkout_id: checkoutId,
            origin: KCIDB_ORIGIN,
            architecture: 'arm64',
            compiler: ci.provenance.gcc ? text(ci.provenance.gcc) : undefined,
            config_name: 'sea-harness',
            start_time: opts.startTime,
            duration: series ? (series.timings.kernelBuildMs + series.timings.selftestsBuildMs) / 1000 : undefined,
            status: ci.build.series === 'ok' ? 'PASS' : ci.build.series === 'failed' ? 'FAIL' : 'MISS',
            log_excerpt: ci.build.error ? excerpt(ci.build.error) : undefined,
            misc: brokenBy.length ? { patches_breaking_the_build: brokenBy } : undefined,
          }),
        ];
  const environment = series?.guest
    ? { comment: `QEMU ${series.guest.profile} (${series.guest.accel})`, misc: clean({ profile: series.guest.profile, accel: series.guest.accel, qemu: series.guest.qemu }) }
    : undefined;
  const tests: Array<Record<string, unknown>> = [];
  for (const c of series?.cases ?? []) {
    const status = kcidbStatus(c.verdict);
    if (!status) continue;
    const path = kselftestPath(c.name);
    // --repeat N: one test run per iteration, the first keeping the id a single run has.
    const id = `${buildId}:${kselftestSlug(c.name)}${c.iteration && c.iteration > 1 ? `:${c.iteration}` : ''}`;
    tests.push(
      clean({
        id,
        build_id: buildId,
        origin: KCIDB_ORIGIN,
        path,
        status,
        comment: c.reason ? text(c.reason) : undefined,
        log_excerpt: c.verdict === 'crash' && c.kernelLog?.length ? excerpt(c.kernelLog.join('\n')) : undefined,
        duration: c.durationMs / 1000,
        environment,
        misc: caseMisc(c, ci),
      }),
    );
    subtests(tests, c.ktap?.tests ?? [], { id, path, buildId });
  }
  return { version: KCIDB_VERSION, checkouts: [checkout], builds, tests };
}

/** The harness's own judgement, which KCIDB has no field for: what was expected, whether it was met, the change. */
function caseMisc(c: CaseResult, ci: CiResult): Record<string, unknown> {
  return clean({
    expected: c.expected,
    expected_reason: c.expectedReason,
    met: c.met,
    expected_skip: c.met && c.expected === 'skip',
    iteration: c.iteration,
    change: ci.cases.find((x) => x.name === c.name)?.change,
  });
}

/**
 * KTAP subtests one level below their test (KCIDB paths are a tree), nested ones further down; ids by position, as
 * names may repeat. KernelCI's parse-output.py instead runs them into the test's name (`kvm_NAME_SUBTEST`), so only
 * the case-level paths are the same as KernelCI's.
 */
function subtests(out: Array<Record<string, unknown>>, tests: readonly KtapTest[], parent: { id: string; path: string; buildId: string }): void {
  for (const [i, sub] of tests.entries()) {
    const id = `${parent.id}:${i + 1}`;
    const path = `${parent.path}.${kselftestSlug(testName(sub))}`;
    out.push(clean({ id, build_id: parent.buildId, origin: KCIDB_ORIGIN, path, status: kcidbSubtestStatus(sub.result), comment: sub.reason ? text(sub.reason) : undefined }));
    subtests(out, sub.subtests, { id, path, buildId: parent.buildId });
  }
}
