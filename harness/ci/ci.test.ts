// The pure parts of `ci`, fed with real run results (captured from `run` on this machine), real checkpatch
// output (the series' patches and a test patch, from Debian 7.3's checkpatch.pl) and real gcc output.
import t from 'tap';
import { readFileSync } from 'node:fs';
import type { CaseResult, RunResult } from '../model/result.js';
import type { CiResult } from '../model/ci.js';
import { afterRerun, compareCase, compareRuns, needsRerun, newWarnings } from './compare.js';
import { parseCheckpatch } from './checkpatch.js';
import { compilerWarnings, touchedKernelSources } from './compiler-warnings.js';
import { KCIDB_VERSION, toKcidb } from './kcidb.js';
import { validateKcidb } from '../test-support/kcidb-schema.js';
import { renderCiMarkdown } from './report.js';
import { classify, mergeReports, renderMergedMarkdown } from '../report/merge.js';
import { parseMessage, selectSeries, splitMbox } from '../kernel/mbox.js';

const text = (f: string) => readFileSync(new URL(`./fixtures/${f}`, import.meta.url), 'utf8');
const result = (f: string) => JSON.parse(text(`${f}.result.json`)) as RunResult;
const byName = (r: RunResult, n: string) => r.cases.find((c) => c.name === n) ?? null;
const NAMES = ['sea_to_user', 'inject_iabt', 'external_aborts'];
const base = result('base-debian-7.3');
const series = result('series');
const broken = result('series-break');
const hang = result('series-hang');

t.test('the series on Debian 7.3: inject_iabt is new and passes, nothing else changes', async (t) => {
  const cmp = compareRuns(NAMES, base.cases, series.cases);
  t.same(cmp.map((c) => [c.name, c.change]), [['sea_to_user', 'unchanged'], ['inject_iabt', 'new'], ['external_aborts', 'unchanged']]);
  t.equal(cmp.find((c) => c.name === 'inject_iabt')?.base, 'absent');
  t.notOk(cmp.some(needsRerun));
});

t.test('a kernel breaking the IABT injection: a regression to re-run; confirmed or a flake after it', async (t) => {
  const c = compareCase('inject_iabt', byName(series, 'inject_iabt'), byName(broken, 'inject_iabt'));
  t.equal(c.change, 'regressed');
  t.match(c.detail, /pass .* -> fail \(arm64\/inject_iabt\.c:71: r && errno == EINVAL/);
  t.ok(needsRerun(c));
  const confirmed = afterRerun(c, compareCase('inject_iabt', byName(series, 'inject_iabt'), byName(broken, 'inject_iabt')));
  t.equal(confirmed.change, 'regressed');
  t.match(confirmed.detail, /confirmed by a re-run/);
  const flake = afterRerun(c, compareCase('inject_iabt', byName(series, 'inject_iabt'), byName(series, 'inject_iabt')));
  t.equal(flake.change, 'flaky');
  t.same(flake.rerun, { base: 'pass', series: 'pass' });
});

t.test('a new test that does not pass is a regression; a timeout too; the reverse is fixed', async (t) => {
  t.equal(compareCase('inject_iabt', byName(base, 'inject_iabt'), byName(broken, 'inject_iabt')).change, 'regressed');
  t.equal(compareCase('inject_iabt', byName(series, 'inject_iabt'), byName(hang, 'inject_iabt')).change, 'regressed');
  t.equal(compareCase('inject_iabt', byName(broken, 'inject_iabt'), byName(series, 'inject_iabt')).change, 'fixed');
  t.equal(compareCase('inject_iabt', byName(series, 'inject_iabt'), byName(base, 'inject_iabt')).change, 'removed');
});

t.test('a failure already on the base is not blamed on the series', async (t) => {
  const c = compareCase('inject_iabt', byName(broken, 'inject_iabt'), byName(broken, 'inject_iabt'));
  t.equal(c.change, 'unchanged');
  t.match(c.detail, /already fail .* on the base \(not caused by the series\)/);
  t.notOk(needsRerun(c));
});

t.test('subtests: a subtest going from skip to fail is a regression even when the case verdict holds', async (t) => {
  const sea = byName(series, 'sea_to_user')!;
  const tests = sea.ktap!.tests;
  const worse: CaseResult = { ...sea, ktap: { ...sea.ktap!, tests: tests.map((x, i) => (i === 0 ? { ...x, result: 'fail' as const, reason: null } : x)) } };
  const c = compareCase('sea_to_user', sea, worse);
  t.equal(c.change, 'regressed');
  t.equal(c.subtests[0]?.change, 'regressed');
  t.match(c.subtests[0]?.base, /^skip \(EINJ table no available in firmware\)/);
  const reason: CaseResult = { ...sea, ktap: { ...sea.ktap!, tests: tests.map((x, i) => (i === 0 ? { ...x, reason: 'another reason' } : x)) } };
  t.equal(compareCase('sea_to_user', sea, reason).subtests[0]?.change, 'reason-changed');
});

t.test('new kernel warnings: compared without timestamps, addresses and numbers', async (t) => {
  const w = (line: string) => ({ kind: 'warning' as const, line });
  const before = [w('[   12.345678] WARNING: CPU: 1 PID: 80 at arch/arm64/kvm/guest.c:790 __kvm_arm_vcpu_set_events+0x1c/0x90')];
  const after = [w('[   13.000001] WARNING: CPU: 0 PID: 79 at arch/arm64/kvm/guest.c:790 __kvm_arm_vcpu_set_events+0x1c/0x90'), w('[   14.1] WARNING: CPU: 0 PID: 79 at arch/arm64/kvm/inject_fault.c:200 inject_abt64+0x10/0x40')];
  t.same(newWarnings(before, after).map((x) => x.line), [after[1]!.line]);
});

t.test('checkpatch output (real, from Debian 7.3\'s checkpatch.pl)', async (t) => {
  t.same(parseCheckpatch(text('checkpatch-0001-clean.txt')), { errors: 0, warnings: 0, checks: 0, messages: [] });
  t.same(parseCheckpatch(text('checkpatch-0003-iabt-selftest.txt')), { errors: 0, warnings: 1, checks: 0, messages: ['WARNING:FILE_PATH_CHANGES: added, moved or deleted file(s), does MAINTAINERS need updating?'] });
  const b = parseCheckpatch(text('checkpatch-break-iabt.txt'));
  t.same([b.errors, b.warnings], [1, 1]);
  t.match(b.messages, [/^WARNING:COMMIT_LOG_LONG_LINE/, /^ERROR:MISSING_SIGN_OFF/]);
});

t.test('compiler warnings without line numbers; the kernel sources a series touches', async (t) => {
  t.same(compilerWarnings(text('gcc-w1-warnings.txt'), '/tmp/w1x/'), [
    "arch/arm64/kvm/demo.c: warning: no previous prototype for 'unused_fn' [-Wmissing-prototypes]",
    "arch/arm64/kvm/demo.c: warning: unused variable 'b' [-Wunused-variable]",
  ]);
  // The series' v2 as a thread mbox (kernel/fixtures): its patches touch kvm_emulate.h, inject_fault.c, the uapi
  // headers, arm.c, guest.c, the tools/ copy of the uapi header and the selftest (e2e/07 checks the real series).
  const thread = readFileSync(new URL('../kernel/fixtures/thread-two-versions-with-reply.mbox', import.meta.url), 'utf8');
  const patches = selectSeries(splitMbox(thread).map(parseMessage)).patches.map((p) => p.raw);
  t.equal(patches.length, 3);
  const files = touchedKernelSources(patches);
  t.same(files, ['arch/arm64/kvm/arm.c', 'arch/arm64/kvm/guest.c', 'arch/arm64/kvm/inject_fault.c'], 'the C files, sorted, once each');
  t.ok(files.includes('arch/arm64/kvm/guest.c'), 'guest.c');
  t.notOk(files.some((f) => f.startsWith('tools/')), 'selftests are not kernel objects');
  t.notOk(files.some((f) => !f.endsWith('.c')), 'only C files');
  t.same(touchedKernelSources(['diff --git a/Documentation/x.c b/Documentation/x.c\ndiff --git a/scripts/y.c b/scripts/y.c\ndiff --git a/samples/z.c b/samples/z.c\ndiff --git a/usr/gen_init_cpio.c b/usr/gen_init_cpio.c\n']), [], 'nor docs, scripts, samples or usr/');
});

const ciResult = (over: Partial<CiResult> = {}): CiResult => ({
  schema: 'sea-harness/ci@1',
  verdict: 'ok',
  base: { commit: 'e6ad139bba690a3e0156b41b6fd48d397478ddc1', tree: 'f'.repeat(40), source: 'Debian linux-source-7.3 7.3.4-1~bpo13+1', reused: false },
  seriesTree: 'a'.repeat(40),
  apply: [
    { patch: 1, subject: 'KVM: arm64: Set FnV for VCPU when FAR_EL2 is invalid', messageId: '<20251013185903.1372553-3-jiaqiyan@google.com>', applied: true, build: 'not-built', checkpatch: parseCheckpatch(text('checkpatch-0001-clean.txt')) },
    { patch: 2, subject: 'KVM: selftests: Test for KVM_CAP_INJECT_EXT_IABT', messageId: null, applied: true, build: 'ok', checkpatch: parseCheckpatch(text('checkpatch-0003-iabt-selftest.txt')) },
  ],
  build: { base: 'ok', series: 'ok', newWarnings: [], newSelftestWarnings: ['inject_iabt.c:90:25: warning: this statement may fall through [-Wimplicit-fallthrough=]'] },
  cases: compareRuns(NAMES, base.cases, series.cases),
  provenance: { harness: '0.1.0', series: ['/x/series.mbox'], messageIds: ['<20251013185903.1372553-3-jiaqiyan@google.com>'], guest: 'virt-ras-nested', qemu: '10.0.2', gcc: 'aarch64-linux-gnu-gcc 12.2.0' },
  reason: null,
  timings: { totalMs: 60_000 },
  ...over,
});

t.test('KCIDB (I/O schema v5.3): checkout, build and one test per case and subtest, valid by the published schema', async (t) => {
  const doc = toKcidb(ciResult(), series, { patches: ['a\n', 'b\n'], startTime: '2026-11-26T00:00:00.000Z' });
  t.same(validateKcidb(doc), []);
  t.same(doc.version, KCIDB_VERSION);
  t.equal(doc.checkouts[0]!.message_id, '20251013185903.1372553-3-jiaqiyan@google.com');
  t.equal(doc.builds.length, 1);
  const statuses = Object.fromEntries(doc.tests.filter((x) => /^kselftest\.kvm\.\w+$/.test(x.path as string)).map((x) => [x.path, x.status]));
  t.same(statuses, { 'kselftest.kvm.kvm_sea_to_user': 'SKIP', 'kselftest.kvm.kvm_inject_iabt': 'PASS', 'kselftest.kvm.kvm_external_aborts': 'PASS' });
  t.match(doc.tests.find((x) => x.path === 'kselftest.kvm.kvm_sea_to_user')?.misc, { expected_skip: true }, 'the expected EINJ skip is SKIP, marked expected in misc');
  const failed = toKcidb(ciResult({ verdict: 'apply-failed' }), null, { patches: ['a\n'], startTime: '2026-11-26T00:00:00.000Z' });
  t.same(validateKcidb(failed), []);
  t.same(failed.builds, []);
});

t.test('report.md: one line per change first, then details', async (t) => {
  const md = renderCiMarkdown(ciResult());
  t.match(md, /^# sea-harness ci: no regression\n/);
  t.match(md, /- inject_iabt: \*\*new\*\* - new with the series: pass/);
  t.match(md, /- unchanged: sea_to_user \(skip\), external_aborts \(pass\)/);
  t.match(md, /- checkpatch: 1 error\(s\)\/warning\(s\)/);
  t.match(md, /patch 2: WARNING:FILE_PATH_CHANGES/);
  t.match(md, /may fall through/);
  t.match(md, /Message-IDs: <20251013185903/);
  const bad = renderCiMarkdown(ciResult({ verdict: 'regressed', cases: [compareCase('inject_iabt', byName(series, 'inject_iabt'), byName(broken, 'inject_iabt'))] }));
  t.match(bad, /^# sea-harness ci: REGRESSION/);
  t.match(bad, /- inject_iabt: \*\*regressed\*\*/);
});

t.test('report merge: run, ci and bisect documents in one table', async (t) => {
  const inputs = [classify('a/result.json', series), classify('b/result.json', broken), classify('c/ci.json', ciResult())];
  t.notOk(inputs.some((i) => i === null));
  t.equal(classify('x.json', { schema: 'other' }), null);
  const m = mergeReports(inputs.filter((i) => i !== null));
  t.equal(m.ok, false, 'one run failed');
  t.same(m.entries.map((e) => [e.kind, e.ok]), [['run', true], ['run', false], ['ci', true]]);
  t.match(renderMergedMarkdown(m), /\| run \| .* \| \*\*fail\*\* \| inject_iabt: fail \(expected pass\)/);
});
