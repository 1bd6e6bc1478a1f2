// The reply mail's rules on real ci results (bot/fixtures/ci-results.ts: recorded runs compared by ci/compare.ts):
// the whole text per verdict against fixtures/replies/*.txt, then each rule on its own (summary, table, threading,
// recipients, Message-ID, wrapping of prose, output and commands).
import t from 'tap';
import { readFileSync } from 'node:fs';
import type { CiResult } from '../model/ci.js';
import type { CaseResult } from '../model/result.js';
import { compareCase } from '../ci/compare.js';
import { parseMessage } from '../kernel/mbox.js';
import { UsageError } from '../util/errors.js';
import * as fx from './fixtures/ci-results.js';
import { MAIL_LINE, WIDTH, excerpt, mailDate, postedMessage, renderReply, replyMessageId, replySubject, replyText, shellWords, summaryLine, tally, withoutBacktrace, wrap, wrapCommand, type ReplyInput } from './reply.js';

const REPRODUCE = 'sea-harness ci --kernel debian:7.3 --series https://lore.kernel.org/r/20261125-v2-0-iabt@example.org/t.mbox.gz --guest virt-ras-nested';
const BOT = { name: 'sea-harness bot', address: 'sea-harness@bot.example.org', results: 'https://bot.example.org/jobs/20261126-0001/' };
const posted = () => ({ ...postedMessage(fx.cover), to: [{ name: '', address: 'kvmarm@lists.linux.dev' }], cc: [{ name: 'Marc Zyngier', address: 'maz@kernel.org' }] });
const input = (result: CiResult, over: Partial<ReplyInput> = {}): ReplyInput => ({
  result,
  posted: posted(),
  bot: BOT,
  jobId: '20261126-0001',
  reproduce: REPRODUCE,
  flakes: { inject_iabt: { runs: 14, flaked: 1, lastSeen: '2026-11-20' } },
  version: 'v2',
  superseded: ['v1'],
  now: new Date('2026-11-26T08:00:00Z'),
  ...over,
});
const lines = (r: CiResult, over: Partial<ReplyInput> = {}) => replyText(input(r, over)).split('\n');

/** Each verdict's fixture and the reply it must give, word for word. */
const REPLIES: ReadonlyArray<[string, () => CiResult]> = [
  ['ok', fx.okResult],
  ['ok-flaky', fx.flakyResult],
  ['regressed', fx.regressedResult],
  ['apply-failed', fx.applyFailedResult],
  ['apply-failed-early', fx.applyFailedEarlyResult],
  ['build-failed', fx.buildFailedResult],
  ['build-failed-middle', fx.middleBreakResult],
  ['error', fx.errorResult],
];

for (const [name, make] of REPLIES) {
  t.test(`reply ${name}: the whole text; plain text within 78 columns`, async (t) => {
    const text = replyText(input(make()));
    t.equal(text, readFileSync(new URL(`./fixtures/replies/${name}.txt`, import.meta.url), 'utf8'));
    for (const l of text.split('\n')) {
      t.ok(l.length <= 78, `at most 78 columns: ${l}`);
      // Longer than the wrap width only where a word cannot be cut: a URL, or a command's argument.
      if (l.length > WIDTH) t.match(l, /https?:\/\/\S+/, `only a URL passes ${WIDTH} columns: ${l}`);
    }
    t.notMatch(text, /^\s*\|.*\|\s*$/m, 'no Markdown table');
    t.notMatch(text, /\*\*|`|^#+ |<\/?(p|br|pre|code|table|tr|td|div|span|a|b|i)\b[^>]*>/im, 'no Markdown emphasis, code or heading, no HTML');
    t.notMatch(text, /\t/, 'no tabs');
    t.ok(text.endsWith('\n'), 'ends with a newline');
  });
}

t.test('summary line: one per verdict, with the series side\'s tally', async (t) => {
  t.equal(summaryLine(fx.okResult()), 'sea-harness: no regressions in KVM SEA handling (2 passed, 1 skipped)');
  t.equal(summaryLine(fx.flakyResult()), 'sea-harness: no regressions in KVM SEA handling (1 passed, 1 flaky)');
  t.equal(summaryLine(fx.regressedResult()), 'sea-harness: 1 regression in KVM SEA handling (1 failed)');
  const two = fx.regressedResult();
  t.equal(summaryLine({ ...two, cases: [two.cases[0]!, { ...two.cases[0]!, name: 'x', series: 'crash' }] }), 'sea-harness: 2 regressions in KVM SEA handling (1 failed, 1 crashed)');
  t.equal(summaryLine(fx.applyFailedResult()), 'sea-harness: patch 4/4 does not apply');
  t.equal(summaryLine(fx.applyFailedEarlyResult()), 'sea-harness: patch 2/4 does not apply');
  t.equal(summaryLine(fx.buildFailedResult()), 'sea-harness: the series breaks the build');
  t.equal(summaryLine(fx.middleBreakResult()), 'sea-harness: patch 2/3 breaks the build');
  t.equal(summaryLine(fx.errorResult()), 'sea-harness: no result, the test setup failed (not the series)');
});

t.test('tally: every series verdict by its word, flaky apart, nothing ran said as such', async (t) => {
  const c = fx.okResult().cases[0]!;
  const of = (...vs: Array<CaseResult['verdict'] | 'flaky'>) => vs.map((v, i) => (v === 'flaky' ? { ...c, name: `c${i}`, series: 'pass' as const, change: 'flaky' as const } : { ...c, name: `c${i}`, series: v }));
  t.equal(tally(of('pass', 'fail', 'crash', 'timeout', 'error', 'skip', 'flaky')), '1 passed, 1 failed, 1 crashed, 1 timed out, 1 errored, 1 skipped, 1 flaky');
  t.equal(tally(of('skip', 'pass', 'pass')), '2 passed, 1 skipped', 'in a fixed order');
  t.equal(tally(of('absent')), 'no cases ran', 'absent counts nowhere');
  t.equal(tally([]), 'no cases ran');
});

t.test('per-patch table: applies, builds, checkpatch and coverage columns', async (t) => {
  const ok = lines(fx.okResult());
  const at = ok.indexOf('patch  applies  builds     checkpatch            coverage');
  t.same(ok.slice(at, at + 4), [
    'patch  applies  builds     checkpatch            coverage',
    '1/3    yes      not built  0 errors, 0 warnings  no kernel code',
    '2/3    yes      not built  0 errors, 0 warnings  3/5 lines',
    '3/3    yes      yes        0 errors, 1 warning   no kernel code',
  ]);
  t.ok(ok.includes('coverage: of the kernel lines a patch added, those that ran.'));
  const noCoverage = lines({ ...fx.okResult(), coverage: undefined });
  t.ok(noCoverage.includes('patch  applies  builds     checkpatch'), 'no coverage column without coverage');
  t.notOk(noCoverage.some((l) => l.startsWith('coverage:')));
  const el2 = fx.okResult();
  const p1 = el2.coverage!.patches[0]!;
  const withEl2 = { ...el2, coverage: { ...el2.coverage!, patches: [{ ...p1, notMeasurable: 2 }, ...el2.coverage!.patches.slice(1, 2)] } };
  const rows = lines(withEl2).filter((l) => /^\d\/3 {4}/.test(l));
  t.same(rows.map((r) => r.replace(/.*warnings? +/, '')), ['EL2/asm only', '3/5 lines', 'not measured'], 'EL2 only; a patch coverage does not list');
  const early = lines(fx.applyFailedEarlyResult()).filter((l) => /^\d\/4 {4}/.test(l));
  t.same(early.map((l) => l.split(/ {2,}/)[1]), ['yes', 'NO', 'not tried', 'not tried'], 'the first that did not apply, then not tried');
  t.same(lines(fx.errorResult()).filter((l) => /^\d\/3 {4}/.test(l)).map((l) => l.split(/ {2,}/)[1]), ['not tried', 'not tried', 'not tried'], 'no NO when nothing was applied for another reason');
});

t.test('regression block: verdicts with the re-run, the failure, the backtrace tree-relative, history', async (t) => {
  const l = lines(fx.regressedResult());
  const at = l.indexOf('Regression: inject_iabt');
  t.same(l.slice(at, at + 11), [
    'Regression: inject_iabt',
    '  base: pass, series: fail; re-run: base pass, series fail',
    '  failure:',
    '    arm64/inject_iabt.c:71: r && errno == EINVAL (pid=80 tid=80 errno=2',
    '      - No such file or directory)',
    '  backtrace:',
    '    vcpu_inject_invalid_abt at',
    '        tools/testing/selftests/kvm/arm64/inject_iabt.c:71',
    '    __libc_start_call_main at libc-start.o:?',
    '    __libc_start_main_impl at ??:?',
    '    _start at ??:?',
  ]);
  t.equal(l[at + 11], '  history: flaked 1 of 14 runs on this bot, last on 2026-11-20');
  t.ok(lines(fx.regressedResult(), { flakes: {} }).includes('  history: no earlier runs of this case on this bot'));
  t.ok(lines(fx.regressedResult(), { flakes: { inject_iabt: { runs: 0, flaked: 0, lastSeen: null } } }).includes('  history: no earlier runs of this case on this bot'));
  t.ok(lines(fx.regressedResult(), { flakes: { inject_iabt: { runs: 1, flaked: 0, lastSeen: null } } }).includes('  history: flaked 0 of 1 run on this bot'));
});

t.test('regression block: long backtraces cut, subtests, new kernel warnings, detail without a failure', async (t) => {
  const series = fx.runs.series.cases.find((c) => c.name === 'inject_iabt')!;
  const broken = fx.runs.broken.cases.find((c) => c.name === 'inject_iabt')!;
  const deep: CaseResult = { ...broken, reason: `${broken.reason} <- a at x.c:1 <- b at x.c:2 <- c at x.c:3`, warnings: [{ kind: 'warning', line: '[   14.1] WARNING: CPU: 0 PID: 79 at arch/arm64/kvm/inject_fault.c:200 inject_abt64+0x10/0x40' }] };
  const r: CiResult = { ...fx.regressedResult(), cases: [compareCase('inject_iabt', series, deep)] };
  const l = lines(r);
  t.ok(l.includes('    [... 1 more frames]'), 'six frames, then how many more');
  t.notOk(l.includes('New kernel warnings:'), "a regression's warnings are in its block, not listed again");
  t.ok(l.includes('    c at x.c:3') === false && l.includes('    b at x.c:2'), 'the sixth frame shown, the seventh not');
  const w = l.indexOf('  new kernel warnings:');
  t.same(l.slice(w, w + 3), ['  new kernel warnings:', '    WARNING: CPU: 0 PID: 79 at arch/arm64/kvm/inject_fault.c:200', '      inject_abt64+0x10/0x40'], 'without the timestamp');
  // A subtest of sea_to_user going from skip to fail under a case verdict that stays skip (ci.test.ts's case).
  const sea = fx.runs.series.cases.find((c) => c.name === 'sea_to_user')!;
  const worse: CaseResult = { ...sea, ktap: { ...sea.ktap!, tests: sea.ktap!.tests.map((x, i) => (i === 0 ? { ...x, result: 'fail' as const, reason: null } : x)) } };
  const sub = lines({ ...fx.regressedResult(), cases: [compareCase('sea_to_user', sea, worse)] });
  const s = sub.indexOf('Regression: sea_to_user');
  t.same(sub.slice(s, s + 6), [
    'Regression: sea_to_user',
    '  base: skip, series: skip',
    '  subtest(s) regressed: test 1',
    '  subtests that changed:',
    '    test 1: regressed, skip (EINJ table no available in firmware) ->',
    '      fail',
  ]);
  t.notOk(sub.includes('  failure:'), "a skip's reason is not shown as the failure");
});

t.test('flaky, other changes, warnings, checkpatch, compiler warnings, coverage lists', async (t) => {
  const flaky = lines(fx.flakyResult());
  const f = flaky.indexOf('Flaky, not blamed on the series:');
  t.same(flaky.slice(f, f + 4), ['Flaky, not blamed on the series:', '  inject_iabt: pass on the base, timeout with the series, but a re-run', '    gave pass on the base and pass with the series', '    history: flaked 1 of 14 runs on this bot, last on 2026-11-20']);
  const ok = lines(fx.okResult());
  t.same(ok.slice(ok.indexOf('Other changes:'), ok.indexOf('Other changes:') + 3), ['Other changes:', '  inject_iabt: new with the series: pass', '    note: As posted (v2 5/6), the host loop falls through from']);
  const many = { ...fx.okResult(), build: { ...fx.okResult().build, newWarnings: Array.from({ length: 12 }, (_, i) => `arch/arm64/kvm/guest.c: warning: unused variable 'v${i}'`) } };
  const m = lines(many);
  const w = m.indexOf('New compiler warnings (W=1, in the files the series touches):');
  t.equal(m[w + 1], "  arch/arm64/kvm/guest.c: warning: unused variable 'v0'");
  t.equal(m[w + 11], '  [... 2 more in the results]', 'ten, then how many more and where');
  t.equal(m[w + 12], '');
  const warned = fx.okResult();
  const cases = warned.cases.map((c) => (c.name === 'external_aborts' ? { ...c, newWarnings: [{ kind: 'rcu-stall' as const, line: 'rcu: INFO: rcu_sched self-detected stall on CPU' }] } : c));
  const wl = lines({ ...warned, cases });
  t.same(wl.slice(wl.indexOf('New kernel warnings:'), wl.indexOf('New kernel warnings:') + 2), ['New kernel warnings:', '  external_aborts: rcu: INFO: rcu_sched self-detected stall on CPU']);
  t.ok(lines({ ...fx.okResult(), coverage: undefined, coverageError: 'the L1 had no debugfs' }).includes('Patch coverage not computed: the L1 had no debugfs'));
  t.notOk(lines({ ...fx.okResult(), build: { ...fx.okResult().build, newSelftestWarnings: [] } }).includes('New selftest warnings:'));
  t.notOk(lines(fx.flakyResult()).includes('Other changes:'), 'unchanged and flaky are no other change');
  const skipped = fx.okResult();
  const noPass = lines({ ...skipped, cases: skipped.cases.map((c) => (c.name === 'inject_iabt' ? { ...c, series: 'skip' as const, detail: 'absent -> skip' } : c)) });
  t.ok(noPass.includes('  inject_iabt: absent -> skip'));
  t.notOk(noPass.some((l) => l.includes('note:')), "a case's notes (what its pass does not prove) only with a pass");
});

t.test('failure sections: apply, build (whole and one patch), no result', async (t) => {
  const early = lines(fx.applyFailedEarlyResult());
  t.same(early.slice(6, 9), ['Patch 2/4 does not apply to Debian linux-source-7.3 7.3.4-1~bpo13+1', '(e6ad139bba69); the patches after it were not tried, nothing was built', 'or tested:']);
  t.same(lines(fx.applyFailedResult()).slice(6, 8), ['Patch 4/4 does not apply to Debian linux-source-7.3 7.3.4-1~bpo13+1', '(e6ad139bba69); nothing was built or tested:'], 'the last patch: no patches after it');
  t.same(lines(fx.buildFailedResult()).slice(6, 11), [
    'The kernel does not build with all 3 patches applied, so no test ran:',
    '',
    '  the kernel failed to build in the sandbox:',
    "    arch/arm64/kvm/guest.c:8:51: error: 'struct <anonymous>' has no",
    "    member named 'ext_iabt_pending'; did you mean 'ext_dabt_pending'?",
  ]);
  t.same(lines(fx.middleBreakResult()).slice(6, 8), ['Patch 2/3 breaks the build; a later patch fixes it, so the series is not', 'bisectable:']);
  t.same(lines(fx.errorResult()).slice(6, 8), ['No result: the test setup failed before the series could be judged;', 'nothing here is blamed on the series:']);
  const base = { ...fx.okResult(), base: { ...fx.okResult().base, commit: null } };
  t.equal(lines(base)[2], 'Tested v2 (3 patches) on Debian linux-source-7.3 7.3.4-1~bpo13+1, guest', 'no commit: no parenthesis');
  t.equal(lines(fx.okResult(), { superseded: [] })[4], '', 'nothing superseded: no sentence');
  t.equal(lines({ ...fx.okResult(), apply: fx.okResult().apply.slice(0, 1) }, { superseded: undefined })[2], 'Tested v2 (1 patch) on Debian linux-source-7.3 7.3.4-1~bpo13+1');
});

t.test('reproduce and signature: the command whole, the bot after "-- "', async (t) => {
  const l = lines(fx.okResult());
  const r = l.indexOf('To reproduce:');
  t.same(l.slice(r, r + 5), ['To reproduce:', '', '    sea-harness ci --kernel debian:7.3 --series \\', '      https://lore.kernel.org/r/20261125-v2-0-iabt@example.org/t.mbox.gz \\', '      --guest virt-ras-nested']);
  t.same(l.slice(-4), ['-- ', 'sea-harness bot <sea-harness@bot.example.org>, sea-harness 0.1.0', 'Results and logs: https://bot.example.org/jobs/20261126-0001/', '']);
  t.equal(l.filter((x) => x === '-- ').length, 1, 'one signature separator');
  t.same(lines(fx.okResult(), { bot: { ...BOT, results: '/srv/sea-harness-bot/jobs/20261126-0001 on bot1' } }).slice(-3, -1), ['sea-harness bot <sea-harness@bot.example.org>, sea-harness 0.1.0', 'Results and logs: /srv/sea-harness-bot/jobs/20261126-0001 on bot1']);
});

t.test('the mail: threading, recipients, subject, Message-ID, date and headers', async (t) => {
  const p = { ...posted(), references: ['20261101-v1-0-iabt@example.org'], cc: [{ name: 'Marc Zyngier', address: 'maz@kernel.org' }, { name: 'KVM ARM', address: 'KVMARM@lists.linux.dev' }, { name: '', address: 'maintainers@users.noreply.h-seed-ad53c909.example' }, { name: 'bot', address: BOT.address }] };
  const m = renderReply(input(fx.regressedResult(), { posted: p }));
  t.equal(m.inReplyTo, '<20261125-v2-0-iabt@example.org>');
  t.same(m.references, ['<20261101-v1-0-iabt@example.org>', '<20261125-v2-0-iabt@example.org>'], 'its References, then it');
  t.same(renderReply(input(fx.okResult(), { posted: { ...p, references: ['<20261125-v2-0-iabt@example.org>'] } })).references, ['<20261125-v2-0-iabt@example.org>'], 'not twice');
  t.same(m.to, [{ name: 'Seed ad53c909 maintainers', address: 'maintainers@users.noreply.h-seed-ad53c909.example' }], 'the author');
  t.same(m.cc, [{ name: '', address: 'kvmarm@lists.linux.dev' }, { name: 'Marc Zyngier', address: 'maz@kernel.org' }], 'the list and Cc, each once (any case), without the author or the bot');
  t.same(m.from, { name: 'sea-harness bot', address: 'sea-harness@bot.example.org' });
  t.equal(m.subject, 'Re: [PATCH v2-port 0/3] KVM: arm64: userspace-handled SEA, IABT injection part, on Linux 7.3');
  t.equal(m.date, 'Thu, 26 Nov 2026 08:00:00 +0000');
  t.equal(m.messageId, '<sea-harness.20261126-0001.a3b5796aa1ef@bot.example.org>');
  t.same(m.headers, { 'X-Sea-Harness-Verdict': 'regressed', 'X-Sea-Harness-Regressions': '1', 'X-Sea-Harness-Job': '20261126-0001', 'Auto-Submitted': 'auto-generated' });
  t.same(renderReply(input(fx.okResult())).headers['X-Sea-Harness-Regressions'], '0');
  for (const [, make] of REPLIES) t.equal(renderReply(input(make())).headers['X-Sea-Harness-Verdict'], make().verdict);
  t.same(renderReply(input(fx.okResult(), { dryRun: true })), renderReply(input(fx.okResult())), 'dryRun changes nothing');
  t.equal(m.text, replyText(input(fx.regressedResult(), { posted: p })));
});

t.test('subject: Re: once, whatever its case', async (t) => {
  t.equal(replySubject('[PATCH v2 0/3] x'), 'Re: [PATCH v2 0/3] x');
  t.equal(replySubject('Re: [PATCH v2 0/3] x'), 'Re: [PATCH v2 0/3] x');
  t.equal(replySubject('RE:[PATCH] x'), 'RE:[PATCH] x');
  t.equal(replySubject('  [PATCH] x  '), 'Re: [PATCH] x');
  t.equal(replySubject('Rebase: x'), 'Re: Rebase: x', 'a word starting with Re is no reply marker');
});

t.test('Message-ID: from the job and the bot domain, the same every time, cleaned', async (t) => {
  t.equal(replyMessageId('20261126-0001', 'sea-harness@bot.example.org'), '<sea-harness.20261126-0001.a3b5796aa1ef@bot.example.org>');
  t.equal(replyMessageId('20261126-0001', 'x@bot.example.org'), replyMessageId('20261126-0001', 'y@bot.example.org'), 'the domain, not the mailbox');
  t.not(replyMessageId('a/b', 'x@e.org'), replyMessageId('a b', 'x@e.org'), 'cleaned alike, told apart by the hash');
  t.match(replyMessageId('a/b', 'x@e.org'), /^<sea-harness\.a-b\.[0-9a-f]{12}@e\.org>$/);
  t.match(replyMessageId('//', 'x@e.org'), /^<sea-harness\.job\.[0-9a-f]{12}@e\.org>$/, 'nothing left: job');
  t.match(replyMessageId('x'.repeat(100), 'x@e.org'), new RegExp(`^<sea-harness\\.x{64}\\.[0-9a-f]{12}@e\\.org>$`), 'at most 64 characters of the job');
  t.throws(() => replyMessageId('1', 'no-domain'), UsageError);
  t.throws(() => replyMessageId('1', 'bot@'), /has no domain/);
  t.throws(() => replyMessageId('  ', 'x@e.org'), /job id is empty/);
  t.equal(mailDate(new Date('2026-01-02T03:04:05Z')), 'Fri, 02 Jan 2026 03:04:05 +0000');
});

t.test('postedMessage: the real cover letter; addresses, References and encoded names of another mail', async (t) => {
  const c = postedMessage(fx.cover);
  t.same(c, { messageId: '20261125-v2-0-iabt@example.org', subject: '[PATCH v2-port 0/3] KVM: arm64: userspace-handled SEA, IABT injection part, on Linux 7.3', from: { name: 'Seed ad53c909 maintainers', address: 'maintainers@users.noreply.h-seed-ad53c909.example' }, date: 'Wed, 25 Nov 2026 20:00:06 +0000', references: [], to: [], cc: [] });
  const raw = ['From: =?UTF-8?q?J=C3=B6rg_R=C3=B6del?= <joro@example.org>', 'To: kvmarm@lists.linux.dev, "Oliver Upton" <oupton@example.org>', 'Cc: kvm@vger.kernel.org,', ' Marc Zyngier <maz@kernel.org>', 'Subject: [PATCH v3 0/2] x', 'Message-ID: <v3-0@example.org>', 'References: <v1-0@example.org>', ' <v2-0@example.org>', 'Date: Thu, 26 Nov 2026 10:00:00 +0000', '', 'body', ''].join('\n');
  const m = postedMessage(parseMessage(raw));
  t.same(m.from, { name: 'Jörg Rödel', address: 'joro@example.org' });
  t.same(m.to.map((a) => a.address), ['kvmarm@lists.linux.dev', 'oupton@example.org']);
  t.same(m.cc, [{ name: '', address: 'kvm@vger.kernel.org' }, { name: 'Marc Zyngier', address: 'maz@kernel.org' }], 'a folded Cc');
  t.same(m.references, ['v1-0@example.org', 'v2-0@example.org']);
  t.throws(() => postedMessage(parseMessage('Subject: x\nMessage-ID: <a@b>\n\nbody\n')), /no From address/);
  t.throws(() => postedMessage(parseMessage('From: a@b\nSubject: x\n\nbody\n')), /no Message-ID/);
});

t.test('wrap: words to the width, hanging indent, long words whole or cut, URLs never cut', async (t) => {
  t.same(wrap('aaa bbb ccc', '', '', 7), ['aaa bbb', 'ccc']);
  t.same(wrap('aaa bbb ccc', '> ', '  ', 9), ['> aaa bbb', '  ccc']);
  t.same(wrap('aaa  bbb\n ccc', '', '', 80), ['aaa bbb ccc'], 'white space is one space');
  t.same(wrap('', '  '), []);
  t.same(wrap('a xxxxxxxxxx b', '', '', 5), ['a', 'xxxxxxxxxx', 'b'], 'a long word on its own line');
  t.same(wrap('a xxxxxxxxxx b', '', '  ', 5, 6), ['a', '  xxxx', '  xxxx', '  xx', '  b'], 'cut at the hard limit');
  t.same(wrap('a https://e.org/xxxxxxxxxx', '', '', 5, 6), ['a', 'https://e.org/xxxxxxxxxx'], 'a URL whole');
  t.same(wrap('abcdef', '', '', 3, 3), ['abc', 'def']);
  t.same(wrap('abc', '    ', '    ', 3, 3), ['    abc'], 'no room: the word is left whole');
});

t.test('shellWords and wrapCommand: broken between words only, runs the same when pasted', async (t) => {
  t.same(shellWords(`a 'b c' "d \\" e" f\\ g h\\\ni`), ['a', "'b c'", '"d \\" e"', 'f\\ g', 'h', 'i']);
  t.same(shellWords("'a\\' b"), ["'a\\'", 'b'], 'no escape inside single quotes');
  t.same(shellWords('  '), []);
  const cmd = `sea-harness ci --kernel debian:7.3 --title 'a title with several words in it' --series ${'x'.repeat(40)}.mbox --per-patch --out /tmp/o`;
  const w = wrapCommand(cmd);
  t.same(w, [
    '    sea-harness ci --kernel debian:7.3 \\',
    "      --title 'a title with several words in it' \\",
    `      --series ${'x'.repeat(40)}.mbox \\`,
    '      --per-patch --out /tmp/o',
  ]);
  t.same(shellWords(w.join('\n')), shellWords(cmd), 'the same words once the continuations are read');
  for (const l of w) t.ok(l.length <= WIDTH);
  t.same(wrapCommand('make -j8\n\ngit am x.mbox', ''), ['make -j8', 'git am x.mbox'], 'one command per line');
  t.same(wrapCommand(`a ${'y'.repeat(80)} b`, ''), ['a \\', `  ${'y'.repeat(80)} \\`, '  b'], 'a word longer than the line stays whole');
  t.same(wrapCommand('a -o v', '', 6), ['a -o \\', '  v'], 'an option leaves its value when both do not fit');
  t.same(wrapCommand('a b -o v', '', 9), ['a b \\', '  -o v'], 'and keeps it when they fit a line');
  t.same(wrapCommand('a --x=1 b', '', 9), ['a --x=1 \\', '  b'], 'an option with = is one word');
  t.same(wrapCommand('a -o -p', '', 80), ['a -o -p'], 'an option followed by an option');
  t.same(wrapCommand('a -o', '', 80), ['a -o'], 'an option at the end');
  t.equal(MAIL_LINE, 76);
});

t.test('excerpt: at most 12 lines, blank lines kept, long lines broken within 76 columns', async (t) => {
  const text = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n');
  const e = excerpt(text);
  t.equal(e.length, 13);
  t.equal(e[11], '  line 12');
  t.equal(e[12], '  [... 8 more lines]');
  t.same(excerpt('a\n\nb\n'), ['  a', '', '  b'], 'trailing newline dropped, blank kept');
  t.same(excerpt('a\nb\nc', 2), ['  a', '  b', '  [... 1 more lines]']);
  t.same(excerpt('x'.repeat(80)), [`  ${'x'.repeat(74)}`, `    ${'x'.repeat(6)}`]);
  t.ok(excerpt(fx.gccError).every((l) => l.length <= MAIL_LINE), 'real gcc output');
});

t.test('withoutBacktrace: the real detail of a confirmed regression', async (t) => {
  const c = fx.regressedResult().cases[0]!;
  t.match(c.detail, /; backtrace: /);
  t.equal(withoutBacktrace(c.detail), 'pass on the base -> fail (arm64/inject_iabt.c:71: r && errno == EINVAL (pid=80 tid=80 errno=2 - No such file or directory)) with the series; confirmed by a re-run of both sides');
  t.equal(withoutBacktrace('already failing on the base: fail (x; backtrace: a <- b) -> fail (y; backtrace: c)'), 'already failing on the base: fail (x) -> fail (y)');
  t.equal(withoutBacktrace('new with the series: pass'), 'new with the series: pass');
});

t.test('edges: what a result may lack (commit, QEMU, reasons, bases), boundaries of the bounded lists', async (t) => {
  const noCommit = { ...fx.applyFailedResult(), base: { ...fx.applyFailedResult().base, commit: null } };
  t.equal(lines(noCommit).find((l) => l.startsWith('Patch 4/4')), 'Patch 4/4 does not apply to Debian linux-source-7.3 7.3.4-1~bpo13+1;', 'no commit: no parenthesis');
  t.equal(lines({ ...fx.okResult(), provenance: { ...fx.okResult().provenance, qemu: null } }, { superseded: ['v1', 'v1.5'] }).slice(2, 5).join(' '), 'Tested v2 (3 patches) on Debian linux-source-7.3 7.3.4-1~bpo13+1 (e6ad139bba69), guest virt-ras-nested. It supersedes the results for v1, v1.5.');
  for (const make of [fx.applyFailedResult, fx.buildFailedResult, fx.errorResult]) {
    const r = make();
    const bare = { ...r, reason: null, build: { ...r.build, error: null }, apply: r.apply.map((p) => ({ ...p, buildError: null })) };
    t.ok(lines(bare).includes('  no message'), `${r.verdict} without any message says so`);
  }
  const mid = fx.middleBreakResult();
  t.ok(lines({ ...mid, reason: null, apply: mid.apply.map((p) => ({ ...p, buildError: null })) }).includes('  no message'));
  const whole = fx.buildFailedResult();
  t.ok(lines({ ...whole, build: { ...whole.build, error: null }, reason: null }).includes("    member named 'ext_iabt_pending'; did you mean 'ext_dabt_pending'?"), 'the patch\'s build error when the build has none');
  const c = fx.regressedResult().cases[0]!;
  const nulls = { ...fx.regressedResult(), cases: [{ ...c, base: null, series: 'crash' as const, seriesReason: 'Unable to handle kernel paging request', rerun: { base: null, series: null } }] };
  const n = lines(nulls);
  t.same(n.slice(n.indexOf('Regression: inject_iabt') + 1, n.indexOf('Regression: inject_iabt') + 4), ['  base: absent, series: crash; re-run: base absent, series absent', '  failure:', '    Unable to handle kernel paging request'], 'no backtrace: no backtrace heading');
  const fl = fx.flakyResult().cases[0]!;
  const f = lines({ ...fx.flakyResult(), cases: [{ ...fl, base: null, series: null, rerun: { base: null, series: null } }] });
  t.ok(f.includes('  inject_iabt: absent on the base, absent with the series, but a re-run'));
  t.ok(f.includes('    gave absent on the base and absent with the series'));
  t.ok(lines({ ...fx.flakyResult(), cases: [{ ...fl, rerun: null }] }).includes('  inject_iabt: pass on the base, timeout with the series'), 'no re-run recorded');
  const sub = { ...c, subtests: [{ name: 'a_new_subtest_with_a_rather_long_name_for_the_test', base: null, series: 'fail', change: 'regressed' as const }, { name: 'gone', base: 'pass', series: null, change: 'removed' as const }] };
  const s = lines({ ...fx.regressedResult(), cases: [sub] });
  t.ok(s.includes('    a_new_subtest_with_a_rather_long_name_for_the_test: regressed,'));
  t.ok(s.includes('      absent -> fail'), 'hanging indent');
  t.ok(s.includes('    gone: removed, pass -> absent'));
  t.same(lines(fx.regressedResult(), { flakes: { inject_iabt: { runs: 14, flaked: 1, lastSeen: '2026-11-20T08:00:00.000Z' } } }).filter((l) => /history|^ {4}2026/.test(l)), ['  history: flaked 1 of 14 runs on this bot, last on', '    2026-11-20T08:00:00.000Z']);
  const six = { ...c, seriesReason: `${c.seriesReason} <- f5 at x.c:5 <- f6 at x.c:6` };
  const sl = lines({ ...fx.regressedResult(), cases: [six] });
  t.ok(sl.includes('    f6 at x.c:6') && !sl.some((l) => l.includes('more frames')), 'six frames: all shown');
  const ten = { ...fx.okResult(), build: { ...fx.okResult().build, newWarnings: Array.from({ length: 10 }, (_, i) => `w${i}`) } };
  t.notOk(lines(ten).some((l) => l.includes('more in the results')), 'ten: no more line');
  t.same(excerpt('a\nb', 2), ['  a', '  b'], 'exactly the bound: nothing left out');
  const one = { ...fx.regressedResult(), cases: [...fx.regressedResult().cases, fx.okResult().cases[2]!] };
  t.equal(summaryLine(one), 'sea-harness: 1 regression in KVM SEA handling (2 passed, 1 failed)'.replace('2 passed', '1 passed'), 'an unchanged case is no regression');
  const hang = fx.runs.hang.cases.find((x) => x.name === 'inject_iabt')!;
  const timeout = compareCase('inject_iabt', fx.runs.series.cases.find((x) => x.name === 'inject_iabt')!, hang);
  const tl = lines({ ...fx.regressedResult(), cases: [timeout] });
  t.same(tl.slice(tl.indexOf('Regression: inject_iabt') + 1, tl.indexOf('Regression: inject_iabt') + 5), ['  base: pass, series: timeout', '  failure:', "    no result within the case's timeout", '  history: flaked 1 of 14 runs on this bot, last on 2026-11-20']);
});

t.test('edges: names, addresses and ids as they come', async (t) => {
  t.equal(replySubject(' Re: x '), 'Re: x');
  t.equal(replySubject('x Re: y'), 'Re: x Re: y');
  t.equal(replyMessageId('--a//b--', 'x@e.org').replace(/\.[0-9a-f]{12}@/, '@'), '<sea-harness.a-b@e.org>');
  t.equal(replyMessageId('1', ' x@e.org ').replace(/\.[0-9a-f]{12}@/, '@'), '<sea-harness.1@e.org>');
  t.throws(() => replyMessageId('1', 'x@e.org junk'), /has no domain/);
  t.match(catching(() => replyMessageId('1', 'x')).hint, /like sea-harness@example\.org/);
  t.match(catching(() => replyMessageId(' ', 'x@e.org')).hint, /give each ci job an id/);
  const e = catching(() => postedMessage(parseMessage('Subject: x\nMessage-ID: <a@b>\n\nbody\n')));
  t.equal(e.message, 'the posted message has no From address (subject "x")');
  t.match(e.hint, /From and Message-ID/);
  const m = postedMessage(parseMessage('From: a@b.org\nTo: Foo Bar, undisclosed-recipients:;, c@d.org\nMessage-ID: <m@b>\nSubject: s\n\nbody\n'));
  t.same(m.to, [{ name: '', address: 'c@d.org' }], 'names without an address and empty groups dropped');
  const mail = renderReply(input(fx.okResult(), { posted: { ...posted(), messageId: ' <20261125-v2-0-iabt@example.org> ', references: [' <r@x> '] } }));
  t.equal(mail.inReplyTo, '<20261125-v2-0-iabt@example.org>');
  t.same(mail.references, ['<r@x>', '<20261125-v2-0-iabt@example.org>']);
});

t.test('edges: console timestamps, trailing backslashes, quoted newlines, option grouping', async (t) => {
  const c = fx.okResult();
  const warn = (line: string) => lines({ ...c, cases: c.cases.map((x) => (x.name === 'external_aborts' ? { ...x, newWarnings: [{ kind: 'warning' as const, line }] } : x)) }).find((l) => l.startsWith('  external_aborts: '));
  t.equal(warn('[   14.123456] WARNING: x'), '  external_aborts: WARNING: x');
  t.equal(warn('WARNING: at [1.5] x'), '  external_aborts: WARNING: at [1.5] x', 'a bracket later in the line stays');
  t.same(shellWords('a\\'), ['a\\'], 'a trailing backslash stays');
  t.same(shellWords('"a\\\nb" c'), ['"a\\\nb"', 'c'], 'a backslash-newline inside double quotes is kept');
  t.same(wrapCommand('aaaaaaaaaaaa -o vvvv', '', 20), ['aaaaaaaaaaaa \\', '  -o vvvv'], 'an option moves with its value');
  t.same(wrapCommand('aaaaaaaaaaaa --x=1 vvvv', '', 20), ['aaaaaaaaaaaa --x=1 \\', '  vvvv'], '--x=1 holds its value');
  t.same(wrapCommand('aaaaaaaaaaaa -o -pppp', '', 20), ['aaaaaaaaaaaa -o \\', '  -pppp'], 'an option is no value');
  t.same(wrapCommand('aaaaaaaaaaaa bb vvvv', '', 20), ['aaaaaaaaaaaa bb \\', '  vvvv'], 'a plain word is no option');
  t.same(wrapCommand('a -o vvvv', '', 10), ['a -o \\', '  vvvv'], 'grouped only when the pair fits a continued line');
  t.same(wrap('abc', '   ', '   ', 3, 3), ['   abc'], 'no room left at the hard limit: whole');
});

function catching(f: () => unknown): UsageError {
  try {
    f();
  } catch (e) {
    return e as UsageError;
  }
  throw new Error('did not throw');
}
