// `sea-harness ci` end to end on Debian's 7.3 base: the series adds inject_iabt and regresses nothing; with a
// patch that breaks the IABT injection appended it is a regression naming the case; a series that does not
// apply exits 5 naming the patch; two ci runs at once both finish with correct reports.
import t, { type Test } from 'tap';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { qemuPids, runCli, timed } from '../test-support/cli.js';
import { BREAK_IABT_PATCH, PATCHES, SERIES_MBOX } from '../test-support/paths.js';
import type { CiResult } from '../model/ci.js';
import { E2E_TIMEOUT_MS } from '../test-support/timeouts.js';
import { validateKcidb } from '../test-support/kcidb-schema.js';

t.setTimeout(E2E_TIMEOUT_MS['05-ci']);

const out = (tag: string) => mkdtempSync(join(tmpdir(), `sea-e2e-ci-${tag}-`));
const ci = async (args: string[], dir: string) => {
  const r = await runCli(['ci', ...args, '--out', dir, '--format', 'json']);
  return { ...r, doc: r.stdout.trim() ? (JSON.parse(r.stdout) as CiResult) : null };
};
const byName = (r: CiResult | null, n: string) => r?.cases.find((c) => c.name === n);

function checkOk(t: Test, doc: CiResult | null, dir: string): void {
  t.equal(doc?.schema, 'sea-harness/ci@1');
  t.equal(doc?.verdict, 'ok');
  t.match(byName(doc, 'inject_iabt'), { base: 'absent', series: 'pass', change: 'new' }, 'inject_iabt: a new test that passes');
  t.match(byName(doc, 'sea_to_user'), { base: 'pass', series: 'pass', change: 'unchanged' });
  t.match(byName(doc, 'external_aborts'), { base: 'pass', series: 'pass', change: 'unchanged' });
  t.same(doc?.apply.map((p) => p.applied), [true, true, true]);
  t.ok(doc?.apply.every((p) => p.checkpatch), 'checkpatch ran on every patch');
  t.match(doc?.build.newSelftestWarnings.join(' '), /fall through/, 'inject_iabt as posted falls through (-Wimplicit-fallthrough)');
  for (const f of ['ci.json', 'report.md', 'junit.xml', 'kcidb.json', 'base/result.json', 'series/result.json', 'series/console.log', 'checkpatch.log', 'w1-build.log']) t.ok(existsSync(join(dir, f)), `${f} written`);
  const md = readFileSync(join(dir, 'report.md'), 'utf8');
  t.match(md, /# sea-harness ci: no regression/);
  t.match(md, /- inject_iabt: \*\*new\*\*/);
  t.match(md, /- note: .*falls through from UCALL_PRINTF into UCALL_DONE/, 'the pass says what it does not prove');
  t.match(md, /\| 3 \| KVM: selftests: Test for KVM_CAP_INJECT_EXT_IABT \| yes \| ok \| 0 errors, 1 warnings \|/, 'checkpatch per patch');
  t.match(md, /### New compiler warnings \(W=1, files the series touches\)/);
  // Patch coverage is on by default in ci: the series side ran on the coverage kernel and says what ran.
  t.equal(doc?.coverage?.schema, 'sea-harness/coverage@1', 'ci.json has the series side\'s coverage');
  t.ok((doc?.coverage?.patches[1]?.ran ?? 0) > 0, `patch 2's kernel lines ran (${doc?.coverage?.patches[1]?.ran} of ${doc?.coverage?.patches[1]?.executable})`);
  t.match(md, /\| 2 \| KVM: arm64: Allow userspace to inject external instruction aborts \| yes \| [^|]+ \| [^|]+ \| \d+ of \d+ new lines ran, \d+ of \d+ ways of their branches taken \|/, 'the per-patch table has the coverage column');
  t.match(md, /### Patch coverage/);
  const kcidb = JSON.parse(readFileSync(join(dir, 'kcidb.json'), 'utf8'));
  t.match(kcidb.checkouts[0].misc, { patch_coverage: [{ patch: 1 }, { patch: 2 }, { patch: 3 }] });
  t.equal(XMLValidator.validate(readFileSync(join(dir, 'junit.xml'), 'utf8')), true, 'junit.xml is XML');
  t.match(kcidb, { version: { major: 5, minor: 3 } });
  t.same(validateKcidb(kcidb), [], 'kcidb.json validates against KCIDB I/O schema v5.3');
  t.match(kcidb.tests.find((x: { path: string }) => x.path === 'kselftest.kvm.kvm_inject_iabt'), { status: 'PASS' }, 'KCIDB: inject_iabt under KernelCI\'s kselftest path');
  t.same(qemuPids(dir), [], 'no QEMU left');
}

t.test('ci: the series on Debian 7.3 adds inject_iabt and regresses nothing', async (t) => {
  const dir = out('ok');
  const r = await ci(['--series', SERIES_MBOX], dir);
  timed(t, 'ci with the series', r.durationMs);
  t.equal(r.exitCode, 0, 'exit 0', { stderr: r.stderr.slice(-3000) });
  checkOk(t, r.doc, dir);
});

t.test('ci: a patch appended that breaks the IABT injection is a regression naming inject_iabt', async (t) => {
  const dir = out('break');
  const r = await ci(['--series', SERIES_MBOX, '--series', BREAK_IABT_PATCH, '--no-coverage'], dir);
  timed(t, 'ci with the breaking patch', r.durationMs);
  t.equal(r.exitCode, 1, 'exit 1', { stderr: r.stderr.slice(-3000) });
  t.equal(r.doc?.verdict, 'regressed');
  const iabt = byName(r.doc, 'inject_iabt');
  t.equal(iabt?.change, 'regressed');
  t.equal(iabt?.series, 'fail');
  t.match(iabt?.seriesReason, /arm64\/inject_iabt\.c:\d+: r && errno == EINVAL/);
  t.equal(iabt?.rerun?.series, 'fail', 'the re-run failed again: not a flake');
  t.match(byName(r.doc, 'external_aborts'), { change: 'unchanged' });
  t.equal(r.doc?.apply.length, 4);
  t.match(readFileSync(join(dir, 'report.md'), 'utf8'), /# sea-harness ci: REGRESSION[\s\S]*- inject_iabt: \*\*regressed\*\*/);
  t.match(r.doc?.apply[3]?.checkpatch?.messages.join(' '), /MISSING_SIGN_OFF/, 'checkpatch flags the test patch');
  t.equal(r.doc?.coverage, undefined, '--no-coverage: none measured');
  t.match(readFileSync(join(dir, 'report.md'), 'utf8'), /\| 4 \| [^|]+ \| yes \| ok \| [^|]+ \| not measured \|/);
  t.same(qemuPids(dir), [], 'no QEMU left');
});

t.test('ci: a series that does not apply exits 5 naming the patch', async (t) => {
  const dir = out('apply');
  const r = await ci(['--series', SERIES_MBOX, '--series', join(PATCHES, 'does-not-apply.patch'), '--no-coverage'], dir);
  timed(t, 'ci with a patch that does not apply', r.durationMs);
  t.equal(r.exitCode, 5, 'exit 5', { stderr: r.stderr.slice(-3000) });
  t.equal(r.doc?.verdict, 'apply-failed');
  t.same(r.doc?.apply.map((p) => p.applied), [true, true, true, false]);
  t.match(r.doc?.reason, /patch 4\/4 ".+" does not apply/);
  t.match(readFileSync(join(dir, 'report.md'), 'utf8'), /the series does not apply/);
  const kcidb = JSON.parse(readFileSync(join(dir, 'kcidb.json'), 'utf8'));
  t.same(kcidb.builds, [], 'KCIDB: no build for a checkout that failed');
  t.equal(kcidb.checkouts[0].valid, false, 'KCIDB: the checkout failed');
  t.same(validateKcidb(kcidb), [], 'kcidb.json validates against KCIDB I/O schema v5.3');
});

t.test('two ci runs at once on one host both finish with correct reports', async (t) => {
  const a = out('pair-a');
  const b = out('pair-b');
  const started = Date.now();
  // --fresh-base on one side: both then boot, build W=1 objects and take the workspace lock at the same time.
  const [ra, rb] = await Promise.all([ci(['--series', SERIES_MBOX, '--fresh-base'], a), ci(['--series', SERIES_MBOX], b)]);
  timed(t, 'two ci runs at once', Date.now() - started);
  t.equal(ra.exitCode, 0, 'first: exit 0', { stderr: ra.stderr.slice(-3000) });
  t.equal(rb.exitCode, 0, 'second: exit 0', { stderr: rb.stderr.slice(-3000) });
  checkOk(t, ra.doc, a);
  checkOk(t, rb.doc, b);
  t.equal(ra.doc?.base.reused, false, '--fresh-base ran the base');
});

t.test('a kernel handed on between CI jobs: build --out, then run --prebuilt boots it without building', async (t) => {
  const kernel = out('kernel');
  const b = await runCli(['build', '--series', SERIES_MBOX, '--out', kernel, '--format', 'json']);
  t.equal(b.exitCode, 0, 'build exit 0', { stderr: b.stderr.slice(-2000) });
  for (const f of ['kernel.json', 'Image', 'System.map', 'config', 'selftests/inject_iabt']) t.ok(existsSync(join(kernel, f)), `${f} copied`);
  const dir = out('prebuilt');
  const r = await runCli(['run', '--prebuilt', kernel, '--case', 'inject_iabt', '--kvm-mode', 'nvhe', '--out', dir, '--format', 'json']);
  timed(t, 'run --prebuilt', r.durationMs);
  t.equal(r.exitCode, 0, 'run exit 0', { stderr: r.stderr.slice(-2000) });
  t.notMatch(r.stderr, /build: /, 'no build stage ran');
  t.match(JSON.parse(r.stdout), { cases: [{ name: 'inject_iabt', verdict: 'pass' }], guest: { environment: { kvmMode: 'nvhe' } } });
});
