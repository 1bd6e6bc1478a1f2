// Kernel stage end to end: Debian's 7.3 source, the series as an incremental rebuild in the one build
// directory, store hits without make, and the error paths (apply, compile, kconfig), with the real CLI.
import t, { type Test } from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { runCli, timed } from '../test-support/cli.js';
import { PATCHES, ROOT, SERIES_MBOX } from '../test-support/paths.js';
import { E2E_TIMEOUT_MS } from '../test-support/timeouts.js';

t.setTimeout(E2E_TIMEOUT_MS['01-kernel']);

interface BuildDoc {
  work: { seriesApplications: number; configComputations: number };
  kernel: { key: string; image: string; config: string; fromStore: boolean; compiled: number; release: string };
  source: { tree: string; series: Array<{ patch: number; subject: string; messageId: string | null; applied: boolean }> };
  selftests: Array<{ case: string; path: string | null; warnings: string[] }>;
}

const out = () => mkdtempSync(join(tmpdir(), 'sea-e2e-kernel-'));

async function build(t: Test, label: string, args: string[]): Promise<{ doc: BuildDoc; ms: number; outDir: string }> {
  const outDir = out();
  const r = await runCli(['build', '--format', 'json', '--out', outDir, ...args]);
  timed(t, label, r.durationMs);
  t.equal(r.exitCode, 0, `${label}: exit 0`, { stderr: r.stderr.slice(-2000) });
  return { doc: JSON.parse(r.stdout) as BuildDoc, ms: r.durationMs, outDir };
}

function checkArtifacts(t: Test, doc: BuildDoc): void {
  t.ok(existsSync(doc.kernel.image), 'Image exists');
  const config = readFileSync(doc.kernel.config, 'utf8');
  for (const sym of ['CONFIG_KVM=y', 'CONFIG_ACPI_APEI_GHES=y', 'CONFIG_ARM64_RAS_EXTN=y', 'CONFIG_ARM64_VA_BITS_48=y', 'CONFIG_KALLSYMS=y']) t.match(config, sym);
}

t.test('default kernel, series as an incremental rebuild, then a store hit without make', async (t) => {
  const base = await build(t, 'default kernel', []);
  checkArtifacts(t, base.doc);
  t.match(base.doc.kernel.release, /^7\.3\./);
  t.equal(base.doc.selftests.find((s) => s.case === 'inject_iabt')?.path, null, 'inject_iabt is absent from mainline 7.3');

  // --rebuild makes the one-file change on top of the series build for real, whatever the store holds.
  const inc = await build(t, 'series + one-file change (incremental)', ['--series', SERIES_MBOX, '--series', join(PATCHES, 'probe-comment.patch'), '--rebuild']);
  checkArtifacts(t, inc.doc);
  t.equal(inc.doc.kernel.fromStore, false, 'make ran');
  t.ok(inc.doc.work.seriesApplications <= 1, `the series applied once at most (${inc.doc.work.seriesApplications}; 0: its commits were remembered)`);
  t.equal(inc.doc.work.configComputations, 1, 'the config worked out once for the build');
  t.ok(inc.doc.kernel.compiled < 400, `no full rebuild: ${inc.doc.kernel.compiled} objects compiled (a cold build compiles ~1200)`);
  const log = readFileSync(join(inc.outDir, 'build.log'), 'utf8');
  t.match(log, /\$ make -C .* Image/, 'the build log shows the incremental make');
  t.notMatch(log, /SYNC\s+include\/config\/auto\.conf\.cmd/, 'kconfig did not start over');
  t.same(inc.doc.source.series.map((p) => p.applied), [true, true, true, true]);
  t.ok(inc.doc.selftests.find((s) => s.case === 'inject_iabt')?.path, 'the series adds inject_iabt');
  t.match(inc.doc.selftests.find((s) => s.case === 'inject_iabt')?.warnings.join('\n') ?? '', /inject_iabt\.c:\d+:\d+: warning: this statement may fall through/, 'the fall-through is flagged');

  const again = await build(t, 'default kernel again (store)', []);
  t.equal(again.doc.kernel.fromStore, true);
  t.equal(again.doc.kernel.compiled, 0);
  t.equal(again.doc.kernel.key, base.doc.kernel.key);
  t.match(readFileSync(join(again.outDir, 'build.log'), 'utf8'), /^# sea-harness: kernel from the artifact store .*make was not started/, 'make was not started');
  t.ok(again.ms < 10_000, `store hit took ${again.ms} ms including node start`);
  checkArtifacts(t, again.doc);
});

t.test('a thread-shaped mbox resolves to the same three patches (and the same tree)', async (t) => {
  const plain = await build(t, 'series from the plain mbox', ['--series', SERIES_MBOX]);
  const thread = await build(t, 'series from a thread mbox', ['--series', join(ROOT, 'harness', 'kernel', 'fixtures', 'thread-two-versions-with-reply.mbox')]);
  t.equal(thread.doc.source.tree, plain.doc.source.tree, 'same source tree');
  t.same(thread.doc.source.series.map((p) => p.messageId), ['20261125-v2-1-iabt@example.org', '20261125-v2-2-iabt@example.org', '20261125-v2-3-iabt@example.org']);
});

/** The series with every Subject (folded lines joined) RFC 2047-encoded whole, base64 for the patches, Q for the cover. */
function encodedSeries(text: string): string {
  return text.replace(/^Subject: (.*(?:\n[ \t].*)*)/gm, (_m, folded: string) => {
    const subject = folded.replace(/\n[ \t]+/g, ' ');
    if (/ 0\/\d+\]/.test(subject)) return `Subject: =?UTF-8?Q?${subject.replace(/[^A-Za-z0-9]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)}?=`;
    return `Subject: =?UTF-8?B?${Buffer.from(subject, 'utf8').toString('base64')}?=`;
  });
}

t.test('a series whose Subjects are RFC 2047-encoded whole applies as the same three patches, to the same tree', async (t) => {
  const plain = await build(t, 'series from the plain mbox', ['--series', SERIES_MBOX]);
  const dir = out();
  const path = join(dir, 'encoded-subjects.mbox');
  const encoded = encodedSeries(readFileSync(SERIES_MBOX, 'utf8'));
  t.equal((encoded.match(/^Subject: =\?UTF-8\?B\?/gm) ?? []).length, 3, 'three patch subjects encoded');
  writeFileSync(path, encoded);
  const enc = await build(t, 'series with encoded subjects', ['--series', path]);
  t.equal(enc.doc.source.tree, plain.doc.source.tree, 'the same tree: the patches applied');
  t.same(enc.doc.source.series.map((p) => p.subject), plain.doc.source.series.map((p) => p.subject), 'titles decoded as the plain mbox has them');
  t.same(enc.doc.source.series.map((p) => p.applied), [true, true, true]);
  t.match(enc.doc.source.series[0]!.subject, /Set FnV for VCPU when FAR_EL2 is invalid/);
});

t.test('a series that does not apply: exit 5, the patch named', async (t) => {
  const r = await runCli(['build', '--series', SERIES_MBOX, '--series', join(PATCHES, 'does-not-apply.patch')]);
  timed(t, 'series that does not apply', r.durationMs);
  t.equal(r.exitCode, 5);
  t.match(r.stderr, /patch 1\/1 "KVM: arm64: change a line that is not there \(sea-harness test\)" of .*does-not-apply\.patch does not apply/);
  t.match(r.stderr, /hypercalls\.c/, "git's message is shown");
});

t.test('a source that does not compile: exit 4 with the error line', async (t) => {
  const r = await runCli(['build', '--series', SERIES_MBOX, '--series', join(PATCHES, 'compile-error.patch')]);
  timed(t, 'source that does not compile', r.durationMs);
  t.equal(r.exitCode, 4);
  t.match(r.stderr, /arch\/arm64\/kvm\/hypercalls\.c:3:\d+: error: 'this_symbol_does_not_exist' undeclared/);
});

t.test('a kconfig symbol whose dependency is missing is named before building', async (t) => {
  const r = await runCli(['build', '--config', join(ROOT, 'harness', 'e2e', 'kallsyms-all-needs-debug-kernel.config')]);
  timed(t, 'kconfig with an unmet dependency', r.durationMs);
  t.equal(r.exitCode, 2);
  t.match(r.stderr, /CONFIG_KALLSYMS_ALL=y came out as n: CONFIG_KALLSYMS_ALL \(init\/Kconfig\) depends on DEBUG_KERNEL && KALLSYMS; unmet: CONFIG_DEBUG_KERNEL=n/);
  t.notMatch(r.stderr, /make Image done/);
});
