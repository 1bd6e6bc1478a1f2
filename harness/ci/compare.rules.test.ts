// Base against base+series case by case and subtest by subtest, on recorded run results (ci/fixtures) and KTAP (ktap/fixtures).
import t from 'tap';
import { readFileSync } from 'node:fs';
import type { CaseResult, KernelWarning, RunResult } from '../model/result.js';
import type { CaseComparison } from '../model/ci.js';
import { parseKtap } from '../ktap/parse.js';
import { afterRerun, compareCase, compareRuns, compareSubtests, flattenSubtests, needsRerun, newWarnings, warningKey } from './compare.js';

const result = (f: string) => JSON.parse(readFileSync(new URL(`./fixtures/${f}.result.json`, import.meta.url), 'utf8')) as RunResult;
const ktapFixture = (f: string) => parseKtap(readFileSync(new URL(`../ktap/fixtures/${f}.txt`, import.meta.url), 'utf8'));
const base = result('base-debian-7.3');
const series = result('series');
const broken = result('series-break');
const hang = result('series-hang');
const get = (r: RunResult, n: string) => r.cases.find((c) => c.name === n)!;
const SEA = get(series, 'sea_to_user');
const IABT = get(series, 'inject_iabt');
const EXT = get(series, 'external_aborts');
const IABT_FAIL = get(broken, 'inject_iabt');
const IABT_HANG = get(hang, 'inject_iabt');
/** external_aborts as a KUnit-style run would report it: the recorded KUnit output as its KTAP. */
const withKtap = (c: CaseResult, f: string): CaseResult => ({ ...c, ktap: ktapFixture(f) });

t.test('subtests by path: nested ones under their parent, nameless ones as `test N`', async (t) => {
  t.same([...flattenSubtests(SEA)], [
    ['test 1', { result: 'skip', reason: 'EINJ table no available in firmware' }],
    ['test 2', { result: 'skip', reason: 'EINJ module probably not loaded?' }],
  ]);
  const kunit = flattenSubtests(withKtap(EXT, 'ktap-spec-2-space-nesting'));
  t.same([...kunit.keys()], [
    'main_test',
    'main_test.example_test_1',
    'main_test.example_test_1.test_1',
    'main_test.example_test_2',
    'main_test.example_test_2.test_1',
    'main_test.example_test_2.test_2',
    'main_test.example_test_3',
    'main_test.example_test_3.test_1',
    'main_test.example_test_3.test_2',
    'main_test.example_test_3.test_3',
  ]);
  t.same(kunit.get('main_test.example_test_2.test_1'), { result: 'skip', reason: 'test_1 skipped' });
  t.same([...flattenSubtests(null)], [], 'no result');
  t.same([...flattenSubtests(IABT)], [], 'no KTAP');
});

t.test('subtest changes: every transition', async (t) => {
  const doc = ktapFixture('directives-mixed-case');
  const edit = (changes: Record<number, { result?: string; reason?: string | null } | null>): CaseResult => ({
    ...EXT,
    ktap: {
      ...doc,
      tests: doc.tests.flatMap((x) => {
        const c = changes[x.number!];
        if (c === null) return [];
        return [c === undefined ? x : { ...x, ...c } as typeof x];
      }),
    },
  });
  const was = edit({});
  t.same(compareSubtests(was, was), [], 'the same run: nothing changed');
  t.same(compareSubtests(was, edit({ 1: { result: 'fail' } })), [{ name: 'plain pass', base: 'pass', series: 'fail', change: 'regressed' }]);
  t.same(compareSubtests(was, edit({ 2: { result: 'pass' } })), [{ name: 'plain fail', base: 'fail', series: 'pass', change: 'fixed' }]);
  t.same(compareSubtests(was, edit({ 3: { result: 'pass', reason: null } })), [{ name: 'skipped lower', base: 'skip (not on this CPU)', series: 'pass', change: 'reason-changed' }], 'skip to pass: both good');
  t.same(compareSubtests(was, edit({ 5: { result: 'fail', reason: null } })), [{ name: 'expected failure', base: 'xfail (known broken on TCG)', series: 'fail', change: 'regressed' }], 'an xfail is good');
  t.same(compareSubtests(was, edit({ 9: { result: 'pass', reason: null } })), [{ name: 'known broken', base: 'todo (fix in v3)', series: 'pass', change: 'fixed' }], 'a todo is not');
  t.same(compareSubtests(was, edit({ 8: { result: 'timeout', reason: '30 seconds' } })), [{ name: 'errored', base: 'error (Failed to open /dev/kvm)', series: 'timeout (30 seconds)', change: 'reason-changed' }], 'bad to bad');
  t.same(compareSubtests(was, edit({ 3: { reason: 'no EINJ' } })), [{ name: 'skipped lower', base: 'skip (not on this CPU)', series: 'skip (no EINJ)', change: 'reason-changed' }], 'same result, another reason');
  t.same(compareSubtests(was, edit({ 1: null })), [{ name: 'plain pass', base: 'pass', series: null, change: 'removed' }]);
  t.same(compareSubtests(edit({ 1: null, 2: null }), was), [
    { name: 'plain pass', base: null, series: 'pass', change: 'new' },
    { name: 'plain fail', base: null, series: 'fail', change: 'regressed' },
  ], 'new ones: good or not');
});

t.test('warnings are compared without what changes from boot to boot', async (t) => {
  const w = (line: string, kind: KernelWarning['kind'] = 'warning'): KernelWarning => ({ kind, line });
  t.equal(
    warningKey(w('[   12.345678] WARNING: CPU: 1 PID: 80 at arch/arm64/kvm/guest.c:790 __kvm_arm_vcpu_set_events+0x1c/0x90')),
    'warning:WARNING: CPU: N PID: N at arch/armN/kvm/guest.c:N __kvm_arm_vcpu_set_events+Nx?/Nx?',
  );
  t.equal(warningKey(w('[  201.337511] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks: pc : ffff800080a1c2d4', 'rcu-stall')), 'rcu-stall:rcu: INFO: rcu_preempt detected stalls on CPUs/tasks: pc : ?');
  t.equal(warningKey(w('WARNING: at kernel/x.c:1')), 'warning:WARNING: at kernel/x.c:N', 'no timestamp');
  const before = [w('[   12.3] WARNING: CPU: 1 PID: 80 at arch/arm64/kvm/guest.c:790 f+0x1c/0x90')];
  const again = w('[   13.0] WARNING: CPU: 0 PID: 79 at arch/arm64/kvm/guest.c:790 f+0x2c/0x90');
  const other = w('[   14.1] WARNING: CPU: 0 PID: 79 at arch/arm64/kvm/inject_fault.c:200 inject_abt64+0x10/0x40');
  const otherAgain = w('[   15.9] WARNING: CPU: 1 PID: 81 at arch/arm64/kvm/inject_fault.c:200 inject_abt64+0x10/0x40');
  t.same(newWarnings(before, [again, other, otherAgain]), [other], 'a new warning once, however often it repeats');
  t.same(newWarnings(before, [w(before[0]!.line, 'hung-task')]), [w(before[0]!.line, 'hung-task')], 'another kind is another warning');
  t.same(newWarnings([], []), []);
});

t.test('case changes and what they say', async (t) => {
  const cmp = (b: CaseResult | null, s: CaseResult | null) => compareCase('inject_iabt', b, s);
  const absent = get(base, 'inject_iabt');
  t.same([cmp(absent, absent).change, cmp(absent, absent).detail], ['unchanged', 'absent on both sides']);
  t.same([cmp(null, null).change, cmp(null, null).detail], ['unchanged', 'absent on both sides']);
  t.same([cmp(absent, IABT).change, cmp(absent, IABT).detail], ['new', 'new with the series: pass']);
  const newFail = cmp(absent, IABT_FAIL);
  t.same([newFail.change, newFail.detail], ['regressed', `new with the series and it does not pass: fail (${IABT_FAIL.reason})`]);
  t.same([cmp(IABT, absent).change, cmp(IABT, absent).detail], ['removed', 'present on the base (pass), absent with the series']);
  t.same([cmp(IABT, null).change, cmp(IABT, null).base, cmp(IABT, null).series], ['removed', 'pass', null]);
  t.same([cmp(IABT, IABT).change, cmp(IABT, IABT).detail], ['unchanged', 'pass']);
  const reg = cmp(IABT, IABT_FAIL);
  t.same([reg.change, reg.detail], ['regressed', `pass on the base -> fail (${IABT_FAIL.reason}) with the series`]);
  t.same([reg.base, reg.series, reg.baseReason, reg.seriesReason, reg.rerun], ['pass', 'fail', null, IABT_FAIL.reason, null]);
  t.equal(cmp(IABT, IABT_HANG).detail, `pass on the base -> timeout (no result within the case's timeout) with the series`);
  const crash = { ...IABT_FAIL, verdict: 'crash' as const, reason: 'the L1 kernel crashed: Internal error: Oops' };
  t.same([cmp(IABT, crash).change, cmp(IABT, crash).detail], ['regressed', 'pass on the base -> crash (the L1 kernel crashed: Internal error: Oops) with the series']);
  const error = { ...IABT_FAIL, verdict: 'error' as const, reason: 'the L1 lacks /dev/kvm' };
  t.same([cmp(IABT, error).change, cmp(IABT, error).detail], ['reason-changed', 'pass -> error (the L1 lacks /dev/kvm)'], 'an error is not a regression of the kernel');
  t.same([cmp(IABT_FAIL, IABT).change, cmp(IABT_FAIL, IABT).detail], ['fixed', `fail (${IABT_FAIL.reason}) on the base -> pass with the series`]);
  const same = cmp(IABT_FAIL, IABT_FAIL);
  t.same([same.change, same.detail], ['unchanged', `already fail (${IABT_FAIL.reason}) on the base (not caused by the series)`]);
  const otherFail = { ...IABT_FAIL, reason: 'arm64/inject_iabt.c:89: guest saw EC 0x25' };
  t.same([cmp(IABT_FAIL, otherFail).change, cmp(IABT_FAIL, otherFail).detail], ['reason-changed', `already failing on the base: fail (${IABT_FAIL.reason}) -> fail (arm64/inject_iabt.c:89: guest saw EC 0x25)`]);
  t.same([cmp(IABT_FAIL, IABT_HANG).change, cmp(IABT_FAIL, IABT_HANG).detail], ['reason-changed', `already failing on the base: fail (${IABT_FAIL.reason}) -> timeout (no result within the case's timeout)`], 'failing both ways');
});

t.test('expected skips: the same skip is unchanged, another skip reason a change', async (t) => {
  const c = compareCase('sea_to_user', get(base, 'sea_to_user'), SEA);
  t.same([c.change, c.detail, c.subtests], ['unchanged', `skip (${SEA.reason})`, []]);
  t.same(c.notes, SEA.notes);
  const apei = { ...SEA, reason: "the host's APEI claimed the SEA, so KVM never saw it", ktap: null };
  const moved = compareCase('sea_to_user', SEA, apei);
  t.same([moved.change, moved.detail], ['reason-changed', `skip (${SEA.reason}) -> skip (${apei.reason})`]);
  const passing = { ...SEA, verdict: 'pass' as const, reason: 'exit 0 after "Guest done gracefully!"' };
  t.equal(compareCase('sea_to_user', SEA, passing).change, 'reason-changed', 'both met, another verdict');
  const unexpected = { ...SEA, met: false, reason: 'the kernel does not advertise KVM_CAP_ARM_SEA_TO_USER' };
  t.same([compareCase('sea_to_user', SEA, unexpected).change, compareCase('sea_to_user', SEA, unexpected).detail], ['reason-changed', `skip (${SEA.reason}) -> skip (${unexpected.reason})`], 'an unexpected skip is not a fail');
  const passNoReason = { ...EXT };
  t.equal(compareCase('external_aborts', passNoReason, { ...EXT, reason: '2 of 2 subtests passed' }).change, 'unchanged', 'a pass is a pass, whatever its reason');
});

t.test('a subtest regressed under an unchanged verdict makes the case regressed', async (t) => {
  const doc = ktapFixture('directives-mixed-case');
  const was = { ...EXT, ktap: doc };
  const worse = { ...EXT, ktap: { ...doc, tests: doc.tests.map((x) => (x.number === 1 || x.number === 3 ? { ...x, result: 'fail' as const, reason: null } : x)) } };
  const c = compareCase('external_aborts', was, worse);
  t.same([c.change, c.detail], ['regressed', 'subtest(s) regressed: plain pass, skipped lower']);
  t.ok(needsRerun(c));
  const fixedOnly = compareCase('external_aborts', worse, was);
  t.same([fixedOnly.change, fixedOnly.detail], ['unchanged', 'pass'], 'subtests that got better do not change the case');
  t.notOk(needsRerun(fixedOnly));
});

t.test('what needs a re-run, and what the re-run decides', async (t) => {
  const first = compareCase('inject_iabt', IABT, IABT_FAIL);
  t.ok(needsRerun(first));
  t.notOk(needsRerun(compareCase('inject_iabt', IABT_FAIL, IABT)), 'fixed');
  const viaSubtest: CaseComparison = { ...compareCase('sea_to_user', SEA, SEA), change: 'reason-changed', subtests: [{ name: 'test 1', base: 'skip', series: 'fail', change: 'regressed' }] };
  t.ok(needsRerun(viaSubtest), 'a regressed subtest under another change');
  t.notOk(needsRerun({ ...viaSubtest, subtests: [{ name: 'test 1', base: 'fail', series: 'skip', change: 'fixed' }] }));

  const confirmed = afterRerun(first, compareCase('inject_iabt', IABT, IABT_FAIL));
  t.same([confirmed.change, confirmed.detail, confirmed.rerun], ['regressed', `${first.detail}; confirmed by a re-run of both sides`, { base: 'pass', series: 'fail' }]);
  const flaky = afterRerun(first, compareCase('inject_iabt', IABT, IABT));
  t.same([flaky.change, flaky.rerun], ['flaky', { base: 'pass', series: 'pass' }]);
  t.equal(flaky.detail, `${first.detail}; but the re-run gave pass on the base and pass with the series: flaky, not blamed on the series`);
  const gone = afterRerun(first, compareCase('inject_iabt', null, null));
  t.equal(gone.detail, `${first.detail}; but the re-run gave absent on the base and absent with the series: flaky, not blamed on the series`);
});

t.test('runs compared by the names asked for', async (t) => {
  const cmp = compareRuns(['external_aborts', 'inject_iabt', 'sea_to_user'], base.cases, hang.cases);
  t.same(cmp.map((c) => [c.name, c.base, c.series, c.change]), [
    ['external_aborts', 'pass', 'pass', 'unchanged'],
    ['inject_iabt', 'absent', 'timeout', 'regressed'],
    ['sea_to_user', 'skip', null, 'removed'],
  ]);
  t.same(cmp[1]!.notes, IABT_HANG.notes, "the series side's notes");
  t.same(cmp[2]!.notes, get(base, 'sea_to_user').notes, "else the base's");
  t.same(compareCase('x', null, null).notes, []);
  t.same(cmp[0]!.newWarnings, []);
});

t.test('an XPASS is good, as kselftest counts it: xpass -> fail is a regression, fail -> xpass a fix', async (t) => {
  const tree = (result: string): CaseResult => ({ name: 'c', ktap: { tests: [{ name: 'x', number: 1, result, reason: null, subtests: [] }] } }) as unknown as CaseResult;
  t.same(compareSubtests(tree('xpass'), tree('fail')).map((c) => c.change), ['regressed']);
  t.same(compareSubtests(tree('fail'), tree('xpass')).map((c) => c.change), ['fixed']);
  t.same(compareSubtests(null, tree('xpass')).map((c) => c.change), ['new']);
});
