// kcidb.json rules on recorded run results (ci/fixtures) and KTAP (ktap/fixtures): every document KCIDB I/O v5.3
// accepts (checked with ajv against the schema kcidb-io publishes), KernelCI's kselftest paths, statuses per
// verdict and per KTAP result, expected skips, ids.
import t from 'tap';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CaseResult, RunResult, Verdict } from '../model/result.js';
import { VERDICTS } from '../model/result.js';
import type { CiResult } from '../model/ci.js';
import type { TestResult } from '../model/ktap.js';
import { parseKtap } from '../ktap/parse.js';
import { compareRuns } from './compare.js';
import { KCIDB_ORIGIN, KCIDB_VERSION, kcidbStatus, kcidbSubtestStatus, kselftestPath, kselftestSlug, toKcidb } from './kcidb.js';
import { KCIDB_SCHEMA, validateKcidb } from '../test-support/kcidb-schema.js';

const result = (f: string) => JSON.parse(readFileSync(new URL(`./fixtures/${f}.result.json`, import.meta.url), 'utf8')) as RunResult;
const ktapFixture = (f: string) => parseKtap(readFileSync(new URL(`../ktap/fixtures/${f}.txt`, import.meta.url), 'utf8'));
const FIXTURES = ['series', 'series-break', 'series-hang', 'base-debian-7.3'] as const;
const NAMES = ['sea_to_user', 'inject_iabt', 'external_aborts'];
const base = result('base-debian-7.3');
const series = result('series');
const get = (r: RunResult, n: string) => r.cases.find((c) => c.name === n)!;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const START = '2026-11-26T00:00:00.000Z';
const TREE = 'f'.repeat(40);

/** A ci result for a recorded run, as ci/ci-result.ts makes it: the run's patches, its cases against the base's. */
function ciFor(run: RunResult, over: Partial<CiResult> = {}): CiResult {
  return {
    schema: 'sea-harness/ci@1',
    verdict: 'ok',
    base: { commit: 'e6ad139bba690a3e0156b41b6fd48d397478ddc1', tree: TREE, source: 'Debian linux-source-7.3 7.3.4-1~bpo13+1', reused: false },
    seriesTree: run.kernel.tree,
    apply: run.kernel.series.map((p) => ({ patch: p.patch, subject: p.subject, messageId: p.messageId, applied: p.applied, build: 'not-built' as const })),
    build: { base: 'ok', series: 'ok', newWarnings: [], newSelftestWarnings: [] },
    cases: compareRuns(NAMES, base.cases, run.cases),
    provenance: { harness: '0.1.0', series: ['/x/series.mbox'], messageIds: ['<20251013185903.1372553-3-jiaqiyan@google.com>'], guest: 'virt-ras-nested', qemu: '10.0.2', gcc: 'aarch64-linux-gnu-gcc 12.2.0' },
    reason: null,
    timings: { totalMs: 60_000 },
    ...over,
  };
}
const kcidb = (ci: CiResult, run: RunResult | null, patches: readonly string[] = ['a\n', 'b\n']) => toKcidb(ci, run, { patches, startTime: START });
const withCases = (run: RunResult, cases: CaseResult[]): RunResult => ({ ...run, cases });
const IABT = get(series, 'inject_iabt');
const SEA = get(series, 'sea_to_user');
const byPath = (doc: ReturnType<typeof toKcidb>, path: string) => doc.tests.find((x) => x.path === path);

const VERDICTS_FOR: Record<(typeof FIXTURES)[number], CiResult['verdict']> = { series: 'ok', 'series-break': 'regressed', 'series-hang': 'regressed', 'base-debian-7.3': 'ok' };

t.test('every recorded run, and the runs that stop early, give documents the KCIDB I/O v5.3 schema accepts', async (t) => {
  for (const f of FIXTURES) {
    const run = result(f);
    t.same(validateKcidb(kcidb(ciFor(run, { verdict: VERDICTS_FOR[f] }), run)), [], `${f}: valid`);
    t.same(validateKcidb(kcidb(ciFor(run, { verdict: VERDICTS_FOR[f] }), run, [])), [], `${f} without patches: valid`);
  }
  const applyFailed = ciFor(series, { verdict: 'apply-failed', reason: 'patch 4/4 "x" does not apply', apply: [{ patch: 1, subject: 'x', messageId: null, applied: false, build: 'not-built' }] });
  t.same(validateKcidb(kcidb(applyFailed, null)), [], 'apply-failed: valid');
  const buildFailed = ciFor(series, { verdict: 'build-failed', build: { base: 'ok', series: 'failed', newWarnings: [], newSelftestWarnings: [], error: 'make: *** [Makefile:2000: vmlinux] Error 2' } });
  t.same(validateKcidb(kcidb(buildFailed, null)), [], 'build-failed: valid');
  t.same(validateKcidb(kcidb(ciFor(series, { verdict: 'error', build: { base: 'failed', series: 'not-built', newWarnings: [], newSelftestWarnings: [] } }), null)), [], 'error before the build: valid');
  const everyVerdict = withCases(series, VERDICTS.map((v) => ({ ...IABT, name: `case_${v}`, verdict: v, reason: `reason\0of ${v}`, kernelLog: ['[ 1.0] Internal error: Oops\0'] })));
  t.same(validateKcidb(kcidb(ciFor(everyVerdict), everyVerdict)), [], 'every verdict, NULs in reasons and kernel logs: valid');
  // v5.0 prohibits NUL in strings: wherever text from a patch, a compiler, a test or a log lands.
  const nul = withCases(series, [{ ...SEA, ktap: { ...SEA.ktap!, tests: SEA.ktap!.tests.map((x) => ({ ...x, reason: `${x.reason}\0` })) } }]);
  const nulCi = ciFor(nul, { apply: [{ patch: 1, subject: 'KVM:\0 arm64', messageId: null, applied: false, build: 'not-built' }], reason: 'does\0 not apply', provenance: { ...ciFor(nul).provenance, gcc: 'gcc\0 12' }, build: { base: 'ok', series: 'failed', newWarnings: [], newSelftestWarnings: [], error: 'Error\0 2' } });
  t.same(validateKcidb(kcidb(nulCi, nul)), [], 'NULs in a subject, a compiler, a reason, a build error and subtest reasons: valid');
  const everyResult = withCases(series, [{ ...IABT, ktap: ktapFixture('directives-mixed-case') }, { ...IABT, name: 'nested', ktap: ktapFixture('ktap-spec-2-space-nesting') }]);
  t.same(validateKcidb(kcidb(ciFor(everyResult), everyResult)), [], 'every KTAP result, nested subtests: valid');
});

t.test('the validator fails documents that break the schema, saying where', async (t) => {
  const doc = JSON.parse(JSON.stringify(kcidb(ciFor(series), series))) as { version: unknown; checkouts: Record<string, unknown>[]; builds: Record<string, unknown>[]; tests: Record<string, unknown>[] };
  const broken = (f: (d: typeof doc) => void) => {
    const d = structuredClone(doc);
    f(d);
    return validateKcidb(d);
  };
  t.same(broken((d) => (d.tests[0]!.comment = null)), ['/tests/0/comment: must be string'], 'a null');
  t.same(broken((d) => (d.builds[0]!.id = 'Sea-Harness:1')), ['/builds/0/id: must match pattern "^[a-z0-9_]+:[^\\0]*$"'], 'an id without a lowercase origin');
  t.same(broken((d) => (d.tests[0]!.waived = true)), ['/tests/0: must NOT have additional properties ("waived")'], 'v4\'s waived');
  t.same(broken((d) => (d.builds[0]!.valid = true)), ['/builds/0: must NOT have additional properties ("valid")'], 'v4\'s build valid');
  t.same(broken((d) => (d.version = { major: 4, minor: 3 })), ['/version/major: must be equal to constant'], 'version 4.3');
  t.same(broken((d) => (d.tests[1]!.path = 'kvm.arm64/sea_to_user')), ['/tests/1/path: must match pattern "^([a-zA-Z0-9_-]+(\\.[a-zA-Z0-9_-]+)*)?$"'], 'a slash in a path');
  t.same(broken((d) => (d.tests[0]!.status = 'WAIVED')), ['/tests/0/status: must be equal to one of the allowed values (FAIL, ERROR, MISS, PASS, DONE, SKIP)'], 'a status');
  t.same(broken((d) => (d.checkouts[0]!.start_time = '26/11/2026')), ['/checkouts/0/start_time: must match format "date-time"'], 'a date');
  t.same(broken((d) => (d.tests[0]!.comment = 'a\0b')), ['/tests/0/comment: must match pattern "^[^\\0]*$"'], 'a NUL');
});

t.test('the version is the schema\'s', async (t) => {
  const version = (KCIDB_SCHEMA as { properties: { version: { properties: { major: { const: number }; minor: { maximum: number } } } } }).properties.version.properties;
  t.same(KCIDB_VERSION, { major: version.major.const, minor: version.minor.maximum });
  t.same(KCIDB_VERSION, { major: 5, minor: 3 });
  t.same(kcidb(ciFor(series), series).version, { major: 5, minor: 3 });
  t.same(Object.keys(kcidb(ciFor(series), series)), ['version', 'checkouts', 'builds', 'tests']);
});

t.test('paths: KernelCI\'s kselftest names, KTAP subtests one level below', async (t) => {
  t.same(kcidb(ciFor(series), series).tests.map((x) => x.path), [
    'kselftest.kvm.kvm_sea_to_user',
    'kselftest.kvm.kvm_sea_to_user.test_1',
    'kselftest.kvm.kvm_sea_to_user.test_2',
    'kselftest.kvm.kvm_inject_iabt',
    'kselftest.kvm.kvm_external_aborts',
  ]);
  t.equal(kselftestPath('sea_to_user'), 'kselftest.kvm.kvm_sea_to_user', 'the runner names arm64/sea_to_user by its basename');
  t.equal(kselftestPath('debug-exceptions'), 'kselftest.kvm.kvm_debug-exceptions');
  const nested = withCases(series, [{ ...IABT, ktap: ktapFixture('ktap-spec-2-space-nesting') }]);
  const nestedDoc = kcidb(ciFor(nested), nested);
  const iabtId = `${nestedDoc.builds[0]!.id}:inject_iabt`;
  t.same(nestedDoc.tests.map((x) => (x.id as string).slice(iabtId.length)), ['', ':1', ':1:1', ':1:1:1', ':1:2', ':1:2:1', ':1:2:2', ':1:3', ':1:3:1', ':1:3:2', ':1:3:3'], 'subtest ids by position under their parent');
  t.ok(nestedDoc.tests.every((x) => (x.id as string).startsWith(iabtId)));
  t.same(nestedDoc.tests.map((x) => [x.path, x.status]), [
    ['kselftest.kvm.kvm_inject_iabt', 'PASS'],
    ['kselftest.kvm.kvm_inject_iabt.main_test', 'FAIL'],
    ['kselftest.kvm.kvm_inject_iabt.main_test.example_test_1', 'PASS'],
    ['kselftest.kvm.kvm_inject_iabt.main_test.example_test_1.test_1', 'PASS'],
    ['kselftest.kvm.kvm_inject_iabt.main_test.example_test_2', 'PASS'],
    ['kselftest.kvm.kvm_inject_iabt.main_test.example_test_2.test_1', 'SKIP'],
    ['kselftest.kvm.kvm_inject_iabt.main_test.example_test_2.test_2', 'PASS'],
    ['kselftest.kvm.kvm_inject_iabt.main_test.example_test_3', 'FAIL'],
    ['kselftest.kvm.kvm_inject_iabt.main_test.example_test_3.test_1', 'PASS'],
    ['kselftest.kvm.kvm_inject_iabt.main_test.example_test_3.test_2', 'FAIL'],
    ['kselftest.kvm.kvm_inject_iabt.main_test.example_test_3.test_3', 'SKIP'],
  ]);
});

t.test('path components slugged as KernelCI\'s parse-output.py does', async (t) => {
  // Each pair checked against slugify() of Linaro test-definitions' automated/linux/kselftest/parse-output.py
  // (4212946), but for an empty result: parse-output.py names a nameless test "<unknown>"; KCIDB allows no empty component.
  const cases: Array<[string, string]> = [
    ['kvm: arm64/sea_to_user', 'kvm_arm64_sea_to_user'],
    ['kvm: sea_to_user', 'kvm_sea_to_user'],
    ['test 1', 'test_1'],
    ['  leading and trailing  ', 'leading_and_trailing'],
    ['a.b', 'a_b'],
    ['a -b', 'a__b'],
    ['x_-y_-z', 'x__y__z'],
    ['mixer[12] test', 'mixer_test'],
    ['a[123456]b', 'a_123456_b'],
    ['a[]b', 'a_b'],
    ['Name-With_Caps9', 'Name-With_Caps9'],
    ['', 'unknown'],
    ['!!!', 'unknown'],
  ];
  for (const [name, slug] of cases) t.equal(kselftestSlug(name), slug, JSON.stringify(name));
});

t.test('statuses: one per case verdict, one per KTAP result', async (t) => {
  t.strictSame(Object.fromEntries(VERDICTS.map((v) => [v, kcidbStatus(v)])), { pass: 'PASS', fail: 'FAIL', skip: 'SKIP', timeout: 'ERROR', crash: 'FAIL', error: 'MISS', absent: null });
  const run = withCases(series, VERDICTS.map((v) => ({ ...IABT, name: `case_${v}`, verdict: v as Verdict })));
  t.same(kcidb(ciFor(run), run).tests.map((x) => [x.path, x.status]), [
    ['kselftest.kvm.kvm_case_pass', 'PASS'],
    ['kselftest.kvm.kvm_case_fail', 'FAIL'],
    ['kselftest.kvm.kvm_case_skip', 'SKIP'],
    ['kselftest.kvm.kvm_case_timeout', 'ERROR'],
    ['kselftest.kvm.kvm_case_crash', 'FAIL'],
    ['kselftest.kvm.kvm_case_error', 'MISS'],
  ], 'an absent case is not reported');
  const results: TestResult[] = ['pass', 'fail', 'skip', 'xfail', 'xpass', 'todo', 'timeout', 'error'];
  t.same(Object.fromEntries(results.map((r) => [r, kcidbSubtestStatus(r)])), { pass: 'PASS', fail: 'FAIL', skip: 'SKIP', xfail: 'PASS', xpass: 'PASS', todo: 'DONE', timeout: 'ERROR', error: 'ERROR' });
  const mixed = withCases(series, [{ ...IABT, ktap: ktapFixture('directives-mixed-case') }]);
  t.same(kcidb(ciFor(mixed), mixed).tests.slice(1).map((x) => [x.path, x.status, x.comment]), [
    ['kselftest.kvm.kvm_inject_iabt.plain_pass', 'PASS', undefined],
    ['kselftest.kvm.kvm_inject_iabt.plain_fail', 'FAIL', undefined],
    ['kselftest.kvm.kvm_inject_iabt.skipped_lower', 'SKIP', 'not on this CPU'],
    ['kselftest.kvm.kvm_inject_iabt.skipped_on_not_ok', 'SKIP', 'no EINJ'],
    ['kselftest.kvm.kvm_inject_iabt.expected_failure', 'PASS', 'known broken on TCG'],
    ['kselftest.kvm.kvm_inject_iabt.unexpected_pass', 'PASS', undefined],
    ['kselftest.kvm.kvm_inject_iabt.timed_out', 'ERROR', '30 seconds'],
    ['kselftest.kvm.kvm_inject_iabt.errored', 'ERROR', 'Failed to open /dev/kvm'],
    ['kselftest.kvm.kvm_inject_iabt.known_broken', 'DONE', 'fix in v3'],
    ['kselftest.kvm.kvm_inject_iabt.with_dash', 'PASS', undefined],
    ['kselftest.kvm.kvm_inject_iabt.skipping_word', 'PASS', undefined],
  ]);
});

t.test('an expected skip is SKIP, not waived: its expectation rides in misc', async (t) => {
  const doc = kcidb(ciFor(series), series);
  const sea = byPath(doc, 'kselftest.kvm.kvm_sea_to_user')!;
  t.equal(sea.status, 'SKIP');
  t.notOk('waived' in sea, 'v5 has no waived');
  t.same(sea.misc, { expected: 'skip', expected_reason: 'QEMU provides no ACPI EINJ table', met: true, expected_skip: true, change: 'unchanged' });
  t.match(sea.comment, /^QEMU provides no ACPI EINJ table \(test said: "EINJ table no available in firmware"/);
  t.same(doc.tests.filter((x) => x.status === 'SKIP').map((x) => x.path), ['kselftest.kvm.kvm_sea_to_user', 'kselftest.kvm.kvm_sea_to_user.test_1', 'kselftest.kvm.kvm_sea_to_user.test_2']);
  t.notOk(doc.tests.some((x) => 'waived' in x), 'no test is waived');
  // The same skip where a pass was expected (a profile with EINJ): still SKIP, but not an expected one.
  const unexpected = withCases(series, [{ ...SEA, expected: 'pass', expectedReason: null, met: false }]);
  t.same(kcidb(ciFor(unexpected, { cases: [] }), unexpected).tests[0]!.misc, { expected: 'pass', met: false, expected_skip: false }, 'no comparison: no change');
  // A skip for another reason than the expected one: not met, not an expected skip.
  const otherReason = withCases(series, [{ ...SEA, met: false }]);
  t.same(kcidb(ciFor(otherReason, { cases: [] }), otherReason).tests[0]!.misc, { expected: 'skip', expected_reason: 'QEMU provides no ACPI EINJ table', met: false, expected_skip: false });
  t.same(byPath(doc, 'kselftest.kvm.kvm_inject_iabt')!.misc, { expected: 'pass', met: true, expected_skip: false, change: 'new' });
});

t.test('a series that does not apply: an invalid checkout with the reason, no build, no tests', async (t) => {
  const ci = ciFor(series, { verdict: 'apply-failed', reason: 'patch 4/4 "x" does not apply', apply: [...ciFor(series).apply, { patch: 4, subject: 'x', messageId: null, applied: false, build: 'not-built' }] });
  const doc = kcidb(ci, null);
  t.same(doc.builds, []);
  t.same(doc.tests, []);
  t.equal(doc.checkouts[0]!.valid, false);
  t.equal(doc.checkouts[0]!.log_excerpt, 'patch 4/4 "x" does not apply');
  t.same(doc.checkouts[0]!.misc, { sea_harness_verdict: 'apply-failed' });
  t.same(kcidb({ ...ci, verdict: 'build-failed' }, null).builds.length, 1, 'a checkout that failed otherwise still has its build');
  const ok = kcidb(ciFor(series, { reason: 'not an apply failure' }), series).checkouts[0]!;
  t.equal(ok.valid, true);
  t.notOk('log_excerpt' in ok, 'an applied series has no checkout log excerpt');
  t.notOk('log_excerpt' in kcidb({ ...ci, reason: null }, null).checkouts[0]!, 'nor one without a reason');
});

t.test('the build: the last tree\'s status, duration, compiler, error excerpt, patches that broke the build', async (t) => {
  const timed = { ...series, timings: { ...series.timings, kernelBuildMs: 61_500, selftestsBuildMs: 2_250 } };
  const okBuild = kcidb(ciFor(timed), timed).builds[0]!;
  const id = kcidb(ciFor(timed), timed).checkouts[0]!.id as string;
  t.same(okBuild, { id: `${id}:arm64`, checkout_id: id, origin: 'sea_harness', architecture: 'arm64', compiler: 'aarch64-linux-gnu-gcc 12.2.0', config_name: 'sea-harness', start_time: START, duration: 63.75, status: 'PASS' });
  const error = `${'e'.repeat(16_000)}\0${'f'.repeat(1_000)}`;
  const failed = kcidb(ciFor(series, { verdict: 'build-failed', build: { base: 'ok', series: 'failed', newWarnings: [], newSelftestWarnings: [], error } }), null).builds[0]!;
  t.equal(failed.status, 'FAIL');
  t.equal(failed.log_excerpt, `${'e'.repeat(16_000)}${'f'.repeat(384)}`, 'the first 16384 characters, without NULs');
  t.notOk('duration' in failed, 'no run, no duration');
  const notBuilt = kcidb(ciFor(series, { verdict: 'error', build: { base: 'failed', series: 'not-built', newWarnings: [], newSelftestWarnings: [] } }), null).builds[0]!;
  t.equal(notBuilt.status, 'MISS', 'never reached: the harness\'s failure');
  t.notOk('log_excerpt' in notBuilt);
  const perPatch = ciFor(series, { apply: ciFor(series).apply.map((p) => ({ ...p, build: p.patch === 2 ? ('failed' as const) : ('ok' as const) })) });
  const broken = kcidb(perPatch, series).builds[0]!;
  t.equal(broken.status, 'PASS', 'the tree the tests ran on built');
  t.same(broken.misc, { patches_breaking_the_build: [2] });
  t.notOk('compiler' in kcidb(ciFor(series, { provenance: { ...ciFor(series).provenance, gcc: null } }), series).builds[0]!);
});

t.test('ids: origin-prefixed and stable, the checkout named by its base tree and patchset hash', async (t) => {
  const doc = kcidb(ciFor(series), series);
  t.same(kcidb(ciFor(series), series), doc, 'the same input, the same document');
  const patchset = sha256(`${sha256('a\n')}\n${sha256('b\n')}\n`);
  t.equal(doc.checkouts[0]!.patchset_hash, patchset, 'sha256sum *.patch | cut -c-64 | sha256sum');
  const checkoutId = `sea_harness:${sha256(`${TREE}:${patchset}`).slice(0, 32)}`;
  t.equal(doc.checkouts[0]!.id, checkoutId);
  t.same(doc.tests.map((x) => x.id), [
    `${checkoutId}:arm64:sea_to_user`,
    `${checkoutId}:arm64:sea_to_user:1`,
    `${checkoutId}:arm64:sea_to_user:2`,
    `${checkoutId}:arm64:inject_iabt`,
    `${checkoutId}:arm64:external_aborts`,
  ]);
  t.ok(doc.tests.every((x) => x.build_id === `${checkoutId}:arm64` && x.origin === KCIDB_ORIGIN));
  t.equal(KCIDB_ORIGIN, 'sea_harness');
  const noPatches = kcidb(ciFor(series), series, []).checkouts[0]!;
  t.equal(noPatches.patchset_hash, '', 'no patches: the empty string');
  t.equal(noPatches.id, `sea_harness:${sha256(`${TREE}:`).slice(0, 32)}`);
  t.equal(kcidb(ciFor(series, { base: { ...ciFor(series).base, tree: null } }), series).checkouts[0]!.id, `sea_harness:${sha256(`Debian linux-source-7.3 7.3.4-1~bpo13+1:${patchset}`).slice(0, 32)}`, 'no tree: the source names it');
  const repeated = withCases(series, [{ ...IABT, iteration: 1 }, { ...IABT, iteration: 2 }, { ...IABT, iteration: 3 }]);
  const reps = kcidb(ciFor(repeated), repeated).tests;
  t.same(reps.map((x) => x.id), [`${checkoutId}:arm64:inject_iabt`, `${checkoutId}:arm64:inject_iabt:2`, `${checkoutId}:arm64:inject_iabt:3`], '--repeat: one id per iteration');
  t.same(reps.map((x) => (x.misc as { iteration: number }).iteration), [1, 2, 3]);
});

t.test('the checkout: base commit, Message-ID, comment, start time, patch coverage', async (t) => {
  const doc = kcidb(ciFor(series), series);
  const c = doc.checkouts[0]!;
  t.same(Object.keys(c), ['id', 'origin', 'git_commit_hash', 'patchset_hash', 'message_id', 'comment', 'start_time', 'valid', 'misc']);
  t.equal(c.origin, 'sea_harness');
  t.equal(c.git_commit_hash, 'e6ad139bba690a3e0156b41b6fd48d397478ddc1');
  t.equal(c.message_id, '20251013185903.1372553-3-jiaqiyan@google.com', 'without its angle brackets');
  t.equal(c.comment, 'Debian linux-source-7.3 7.3.4-1~bpo13+1 + 3 patch(es): KVM: arm64: Set FnV for VCPU when FAR_EL2 is invalid');
  t.equal(c.start_time, START);
  t.same(c.misc, { sea_harness_verdict: 'ok' });
  const other = (over: Partial<CiResult>) => kcidb(ciFor(series, over), series).checkouts[0]!;
  t.notOk('git_commit_hash' in other({ base: { ...ciFor(series).base, commit: 'v7.3' } }), 'a ref is not a commit hash');
  t.notOk('git_commit_hash' in other({ base: { ...ciFor(series).base, commit: `${'a'.repeat(40)}0` } }), 'nor 41 digits');
  t.notOk('git_commit_hash' in other({ base: { ...ciFor(series).base, commit: null } }));
  const ids = (messageIds: string[]) => other({ provenance: { ...ciFor(series).provenance, messageIds } }).message_id;
  t.equal(ids(['a.b@c.d', '<second@x.y>']), 'a.b@c.d', 'the first');
  t.equal(ids([]), undefined);
  t.equal(ids(['<no-at-sign>']), undefined, 'not an address: left out');
  t.equal(ids(['<two words@x.y>']), undefined);
  t.equal(ids(['<a@b c>']), undefined);
  t.equal(other({ apply: [] }).comment, 'Debian linux-source-7.3 7.3.4-1~bpo13+1 + 0 patch(es): ');
  const coverage = { patches: [{ patch: 1, ran: 3, executable: 4, notMeasurable: 0 }, { patch: 2, ran: 0, executable: 0, notMeasurable: 7 }] } as unknown as CiResult['coverage'];
  t.same(other({ coverage }).misc, { sea_harness_verdict: 'ok', patch_coverage: [{ patch: 1, lines_ran: 3, lines: 4, not_measurable: 0 }, { patch: 2, lines_ran: 0, lines: 0, not_measurable: 7 }] });
});

t.test('a test run: duration in seconds, reason, crash log, environment', async (t) => {
  const doc = kcidb(ciFor(series), series);
  const iabt = byPath(doc, 'kselftest.kvm.kvm_inject_iabt')!;
  t.same(iabt, {
    id: `${doc.checkouts[0]!.id}:arm64:inject_iabt`,
    build_id: `${doc.checkouts[0]!.id}:arm64`,
    origin: 'sea_harness',
    path: 'kselftest.kvm.kvm_inject_iabt',
    status: 'PASS',
    duration: 1.966,
    environment: { comment: 'QEMU virt-ras-nested (tcg)', misc: { profile: 'virt-ras-nested', accel: 'tcg', qemu: '10.0.2' } },
    misc: { expected: 'pass', met: true, expected_skip: false, change: 'new' },
  });
  const log = ['[ 12.1] Unable to handle kernel NULL pointer dereference', '[ 12.2] Internal error: Oops: 0000000096000004'];
  const crashed = withCases(series, [{ ...IABT, verdict: 'crash', reason: 'the L1\0 crashed\0', kernelLog: log }, { ...IABT, name: 'failed', verdict: 'fail', kernelLog: log }, { ...IABT, name: 'nolog', verdict: 'crash', kernelLog: [] }]);
  const [crash, fail, nolog] = kcidb(ciFor(crashed), crashed).tests;
  t.equal(crash!.log_excerpt, log.join('\n'), 'a crash: the kernel log');
  t.equal(crash!.comment, 'the L1 crashed', 'without NULs');
  t.notOk('log_excerpt' in fail!, 'a failure: its reason says it');
  t.notOk('log_excerpt' in nolog!);
  const noGuest = { ...series, guest: null };
  t.notOk('environment' in kcidb(ciFor(noGuest), noGuest).tests[0]!);
  const noQemu = { ...series, guest: { ...series.guest!, qemu: null, accel: 'kvm' as const } };
  t.same(kcidb(ciFor(noQemu), noQemu).tests[0]!.environment, { comment: 'QEMU virt-ras-nested (kvm)', misc: { profile: 'virt-ras-nested', accel: 'kvm' } });
  const sub = byPath(doc, 'kselftest.kvm.kvm_sea_to_user.test_1')!;
  t.same(Object.keys(sub), ['id', 'build_id', 'origin', 'path', 'status', 'comment'], 'a subtest: no duration, environment or misc');
});
