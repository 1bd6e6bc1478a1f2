// Reading a series from a mailing-list thread: the recorded mbox (kernel/fixtures), and the mail shapes it is made of.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { describeGap, hasDiff, parseMessage, parseSubject, selectSeries, splitMbox } from './mbox.js';

const THREAD = readFileSync(new URL('./fixtures/thread-two-versions-with-reply.mbox', import.meta.url), 'utf8');
const messages = (text: string) => splitMbox(text).map(parseMessage);
/** The thread's v2 1/3, as one message of its own. */
const V2_1 = splitMbox(THREAD).find((m) => m.includes('Message-ID: <20261125-v2-1-iabt@example.org>'))!;
const V1_SUBJECT = '[PATCH 1/3] KVM: arm64: Set FnV for VCPU when FAR_EL2 is invalid';
const COVER = '[PATCH v2-port 0/3] KVM: arm64: userspace-handled SEA, IABT injection part, on Linux 7.3';

t.test('the thread: six messages, v2 taken in n/M order, the rest left out with the reason', async (t) => {
  const msgs = messages(THREAD);
  t.equal(msgs.length, 6);
  const sel = selectSeries(msgs);
  t.same(sel.patches.map((p) => [p.n, p.total, p.version, p.messageId]), [
    [1, 3, 2, '20261125-v2-1-iabt@example.org'],
    [2, 3, 2, '20261125-v2-2-iabt@example.org'],
    [3, 3, 2, '20261125-v2-3-iabt@example.org'],
  ]);
  t.equal(sel.patches[0]!.title, 'KVM: arm64: Set FnV for VCPU when FAR_EL2 is invalid', 'the folded subject unfolded, without its tags');
  t.equal(sel.patches[0]!.raw, V2_1, 'the message as git am takes it');
  t.same([sel.version, sel.versions, sel.missing], [2, [1, 2], []]);
  t.same(sel.cover, { subject: COVER, messageId: '20261125-v2-0-iabt@example.org' });
  t.same(sel.ignored, [
    { subject: COVER, why: 'cover letter' },
    { subject: 'Re: [PATCH v2-port 2/3] KVM: arm64: Allow userspace to inject external instruction aborts', why: 'reply' },
    { subject: V1_SUBJECT, why: 'version 1 (using v2)' },
  ]);
  const v1 = selectSeries(msgs, 1);
  t.same([v1.version, v1.patches.map((p) => p.subject), v1.missing, v1.cover], [1, [V1_SUBJECT], [2, 3], null], 'v1 asked for: no cover of its own');
  t.same(v1.ignored.slice(2).map((i) => i.why), ['version 2 (using v1)', 'version 2 (using v1)', 'version 2 (using v1)']);
});

t.test('mbox boundaries: a From line after a blank line or at the start; mboxrd quoting; CRLF', async (t) => {
  const parts = splitMbox(THREAD);
  t.ok(parts.every((p) => p.startsWith('From: ') && p.endsWith('\n') && !p.endsWith('\n\n')), 'each message without its From line, trailing blanks trimmed to one newline');
  const quoted = 'From abc Mon Nov 25 20:00:00 2026\nSubject: [PATCH] x\n\nbody\n>From the start\n>>From quoted twice\n';
  t.same(splitMbox(quoted), ['Subject: [PATCH] x\n\nbody\nFrom the start\n>From quoted twice\n']);
  const glued = 'From abc Mon Nov 25 20:00:00 2026\nSubject: a\n\nsee:\nFrom def Tue Nov 26 20:00:00 2026\n\nFrom ghi Wed Nov 27 20:00:00 2026\nSubject: b\n';
  t.same(splitMbox(glued), ['Subject: a\n\nsee:\nFrom def Tue Nov 26 20:00:00 2026\n', 'Subject: b\n'], 'a From line right after text is text');
  t.same(splitMbox(V2_1.replace(/\n/g, '\r\n')), [V2_1], 'CRLF read as LF');
  t.same(splitMbox('Subject: [PATCH] lone\n\ndiff --git a/x b/x\n'), ['Subject: [PATCH] lone\n\ndiff --git a/x b/x\n'], 'a lone patch without a From line');
  t.same(splitMbox('From abc Mon Nov 25 20:00:00 2026\n\n\nFrom def Mon Nov 25 20:00:00 2026\nSubject: b\n'), ['Subject: b\n'], 'an empty message is dropped');
  t.same(splitMbox('From 1234abcd Mon Sep 17 00:00:00 2001\nFrom: A <a@b>\n'), ['From: A <a@b>\n'], "git format-patch's From line");
  t.same(splitMbox('From abc Mon Nov 25 20:00:00 2026 extra\nSubject: c\n'), ['From abc Mon Nov 25 20:00:00 2026 extra\nSubject: c\n'], 'a From line must end with the year');
});

t.test('headers: lower-cased, folded lines joined, the first of a name kept, body after the blank line', async (t) => {
  const m = parseMessage(V2_1);
  t.same([...m.headers.keys()], ['from', 'date', 'subject', 'message-id', 'in-reply-to']);
  t.equal(m.headers.get('subject'), '[PATCH v2-port 1/3] KVM: arm64: Set FnV for VCPU when FAR_EL2 is invalid');
  t.equal(m.raw, V2_1);
  t.ok(m.body.startsWith('If FAR_EL2 for the faulting instruction is not valid') || m.body.length > 0);
  t.equal(V2_1.slice(V2_1.indexOf('\n\n') + 2), m.body);
  const twice = parseMessage('Subject: first\nsubject: second\nX-Folded: a\n\tb\n c\n\nbody\n');
  t.same([...twice.headers], [['subject', 'first'], ['x-folded', 'a b c']]);
  t.equal(twice.body, 'body\n');
  const headOnly = parseMessage('Subject: no body');
  t.same([headOnly.body, headOnly.headers.get('subject')], ['', 'no body']);
  t.same([...parseMessage(' leading continuation\nSubject: s\n\n').headers], [['subject', 's']], 'a continuation with no header before it is dropped');
});

t.test('subjects', async (t) => {
  t.same(parseSubject('  [PATCH v2-port 2/3] KVM: arm64: Allow userspace  '), { isReply: false, isPatch: true, version: 2, n: 2, total: 3, title: 'KVM: arm64: Allow userspace' });
  t.same(parseSubject('Re: [PATCH v2 3/6] KVM: arm64: x'), { isReply: true, isPatch: true, version: 2, n: 3, total: 6, title: 'KVM: arm64: x' });
  t.same(parseSubject('AW: RE: Re: [PATCH 1/2] x'), { isReply: true, isPatch: true, version: 1, n: 1, total: 2, title: 'x' });
  t.equal(parseSubject('SV: [PATCH] x').isReply, true);
  t.same(parseSubject('Fwd: [PATCH] lone fix'), { isReply: false, isPatch: true, version: 1, n: null, total: null, title: 'lone fix' }, 'a forward is no reply');
  t.same(parseSubject('[RFC] [PATCH v3 00/10] cover'), { isReply: false, isPatch: true, version: 3, n: 0, total: 10, title: 'cover' });
  t.same(parseSubject('[RFC v4] idea'), { isReply: false, isPatch: false, version: 4, n: null, total: null, title: 'idea' });
  t.same(parseSubject('[patch V5 1/1] x'), { isReply: false, isPatch: true, version: 5, n: 1, total: 1, title: 'x' });
  t.equal(parseSubject('[PATCH kvm-v2 1/1] x').version, 2);
  t.equal(parseSubject('[PATCHv2 1/1] x').version, 1, 'v glued to a word is not a version');
  t.equal(parseSubject('[PATCH v2x 1/1] x').version, 1);
  t.same(parseSubject('KVM: no tags'), { isReply: false, isPatch: false, version: 1, n: null, total: null, title: 'KVM: no tags' });
  t.equal(parseSubject('Re:[PATCH] x').isReply, true);
  t.equal(parseSubject('Reply to all: x').isReply, false);
});

t.test('diffs of its own', async (t) => {
  t.ok(hasDiff(parseMessage(V2_1).body));
  t.ok(hasDiff('--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n'), 'a plain unified diff');
  t.ok(hasDiff('--- /dev/null\n+++ b/new.c\n'));
  t.ok(hasDiff('--- a/gone.c\n+++ /dev/null\n'));
  t.notOk(hasDiff('Signed-off-by: A <a@b>\n---\n 1 file changed\n'), 'the --- of a diffstat');
  t.notOk(hasDiff('--- a/x.c\nno plus line\n'));
  t.notOk(hasDiff('+++ b/x.c\n'));
  t.notOk(hasDiff('see diff --git a/x b/x\n'), 'not at the start of a line');
  t.notOk(hasDiff('> diff --git a/x b/x\n> --- a/x\n> +++ b/x\n'), 'quoted in a reply');
});

t.test('selection rules: resends, lone patches, mails without a diff', async (t) => {
  const mail = (subject: string, id: string | null, body = 'diff --git a/x b/x\n--- a/x\n+++ b/x\n') =>
    `From abc Mon Nov 25 20:00:00 2026\nSubject: ${subject}\n${id ? `Message-ID:  <${id}> \n` : ''}\n${body}\n`;
  const resend = selectSeries(messages(mail('[PATCH 1/2] a', 'first') + mail('[PATCH 2/2] b', 'b') + mail('[PATCH 1/2] a (resend)', 'again')));
  t.same(resend.patches.map((p) => p.messageId), ['first', 'b'], 'of two copies of 1/2 the earlier is kept (b4 keeps the first)');
  t.same(resend.ignored, [{ subject: '[PATCH 1/2] a (resend)', why: 'duplicate of v1 1/2 (kept <first>)' }]);
  const lone = selectSeries(messages(mail('[PATCH] lone fix', null)));
  t.same(lone.patches.map((p) => [p.n, p.total, p.version, p.title, p.messageId]), [[1, 1, 1, 'lone fix', null]]);
  t.same([lone.version, lone.versions, lone.missing, lone.cover, lone.ignored], [1, [1], [], null, []]);
  const talk = selectSeries(messages(mail('[PATCH v3 1/2] a', 'a') + mail('[PATCH v3 2/2] b', 'q', 'The diff got lost.\n')));
  t.same(talk.ignored, [{ subject: '[PATCH v3 2/2] b', why: 'no diff' }]);
  t.equal(talk.cover, null, 'only a 0/M is a cover letter');
  t.same([talk.missing, talk.total, talk.complete], [[2], 2, []], 'a 2/2 without a diff leaves 2/2 missing');
  const noSubject = selectSeries(messages('From abc Mon Nov 25 20:00:00 2026\nFrom: A <a@b>\n\nhello\n'));
  t.same(noSubject.ignored, [{ subject: '(no subject)', why: 'not a mail: no Subject header' }]);
  const empty = selectSeries([]);
  t.same([empty.patches, empty.version, empty.versions, empty.missing, empty.cover], [[], 1, [], [], null]);
  t.equal(selectSeries(messages(mail('[PATCH v2 1/1] a', 'a')), 7).patches.length, 0, 'a version the input does not have');
  const gaps = selectSeries(messages(mail('[PATCH 2/4] b', 'b') + mail('[PATCH 4/4] d', 'd')));
  t.same(gaps.missing, [1, 3]);
});

t.test('the grammar of each line, where a looser pattern would read something else', async (t) => {
  const from = 'From abc Mon Nov 25 20:00:00 2026';
  t.same(splitMbox(`${from}\nSubject: a\n\nquoted:\n\nsee From abc Mon Nov 25 20:00:00 2026\n`), ['Subject: a\n\nquoted:\n\nsee From abc Mon Nov 25 20:00:00 2026\n'], 'From only at the start of a line');
  t.same(splitMbox(`From abc  Mon Nov 25 20:00:00 2026   \nSubject: a\n`), ['Subject: a\n'], 'blanks after the sender and at the end');
  t.same(splitMbox(`${from}\nSubject: a\n\nFrom abc Mon Nov 25 20:00:00 26\n`), ['Subject: a\n\nFrom abc Mon Nov 25 20:00:00 26\n'], 'a four-digit year');
  t.same(splitMbox(`${from}\nSubject: a\n\nsee >From here\n`), ['Subject: a\n\nsee >From here\n'], 'only a leading > is mboxrd quoting');
  t.same([...parseMessage('\n\nbody only\n').headers], [], 'no headers');
  t.equal(parseMessage('\n\nbody only\n').body, 'body only\n');
  t.same([...parseMessage('To be: or not\nSubject:x\n\nb\n').headers], [['subject', 'x']], 'a header name is one word at the start; no blank needed after the colon');
  t.equal(parseSubject('[PATCH] Re: x').isReply, false, 'Re: only at the start');
  t.equal(parseSubject('Re : [PATCH] x').isReply, true);
  t.same(parseSubject('Fw: [PATCH 1/2] x'), { isReply: false, isPatch: true, version: 1, n: 1, total: 2, title: 'x' });
  t.same(parseSubject('Re:[PATCH 1/2] x'), { isReply: true, isPatch: true, version: 1, n: 1, total: 2, title: 'x' });
  t.same(parseSubject('Re :  [PATCH 1/2] x'), { isReply: true, isPatch: true, version: 1, n: 1, total: 2, title: 'x' });
  t.same(parseSubject('KVM: fix [v2] thing'), { isReply: false, isPatch: false, version: 1, n: null, total: null, title: 'KVM: fix [v2] thing' }, 'tags only at the start');
  t.same(parseSubject('[PATCH 1/2]x'), { isReply: false, isPatch: true, version: 1, n: 1, total: 2, title: 'x' });
  t.equal(parseSubject('[v3 PATCH] x').version, 3);
  t.same(parseSubject('[PATCH v12 12/15] x'), { isReply: false, isPatch: true, version: 12, n: 12, total: 15, title: 'x' });
  t.notOk(hasDiff('see --- a/x.c and\nalso +++ b/x.c\n'), 'the --- and +++ of a diff start their lines');
  t.notOk(hasDiff('--- a/x.c\nalso +++ b/x.c\n'));
  t.notOk(hasDiff('see --- a/x.c\n+++ b/x.c\n'));
  const cover = selectSeries(messages('From abc Mon Nov 25 20:00:00 2026\nSubject: [PATCH 0/1] cover\n\ndiff --git a/x b/x\n\nFrom abc Mon Nov 25 20:00:00 2026\nSubject: [PATCH 1/1] fix\n\ndiff --git a/x b/x\n'));
  t.same([cover.patches.map((p) => p.title), cover.ignored], [['fix'], [{ subject: '[PATCH 0/1] cover', why: 'cover letter' }]], 'a 0/M is a cover even with a diff in it');
});

/** A mail of a thread: its Subject line(s) as sent, a Message-ID, a Date, and a diff unless told otherwise. */
const threadMail = (subject: string, id: string, o: { date?: string; body?: string } = {}) =>
  `From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: A U Thor <a@example.org>\n${o.date ? `Date: ${o.date}\n` : ''}Subject: ${subject}\nMessage-ID: <${id}>\n\n${o.body ?? `Text of ${id}.\n---\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n`}\n`;

t.test('RFC 2047 subjects: the whole [PATCH ...] encoded, the title alone encoded, q and b, other charsets, folded', async (t) => {
  const subjectOf = (header: string) => parseMessage(`Subject: ${header}\n\nbody\n`).headers.get('subject');
  t.equal(subjectOf('=?UTF-8?q?=5BPATCH_v3_1=2F2=5D_KVM=3A_arm64=3A_caf=C3=A9?='), '[PATCH v3 1/2] KVM: arm64: café', 'q: _ is a blank, =XX a byte');
  t.equal(subjectOf('=?utf-8?B?W1BBVENIIHYzIDIvMl0gS1ZNOiBhcm02NDogY2Fmw6k=?='), '[PATCH v3 2/2] KVM: arm64: café', 'b, lower-case charset');
  t.equal(subjectOf('[PATCH v2 1/2] =?UTF-8?q?KVM=3A_J=C3=B6rg=27s_fix?='), "[PATCH v2 1/2] KVM: Jörg's fix", 'the usual form: the tags plain, the title encoded');
  t.equal(subjectOf('=?ISO-8859-1?Q?=5BPATCH_v4_1/1=5D_na=EFve?='), '[PATCH v4 1/1] naïve', 'ISO-8859-1');
  t.equal(subjectOf('[PATCH] =?KOI8-R?B?8NLJ18XU?='), '[PATCH] Привет', 'KOI8-R');
  t.equal(subjectOf('=?windows-1252?q?=93quoted=94?='), '“quoted”', 'windows-1252');
  t.equal(subjectOf('=?UTF-8?q?=5BPATCH_v2_1/2=5D_caf=C3?=\n =?UTF-8?q?=A9_au_lait?='), '[PATCH v2 1/2] café au lait', 'folded between two words that split one character: the blank between encoded-words goes');
  t.equal(subjectOf('[PATCH v2 1/2] a\n\tlong title'), '[PATCH v2 1/2] a long title', 'folded plain text');
  t.equal(subjectOf('=?UTF-8?q?unterminated'), '=?UTF-8?q?unterminated', 'not an encoded-word: kept as it is');
  t.equal(parseMessage('From: =?UTF-8?q?J=C3=B6rg?= <j@example.org>\n\nb\n').headers.get('from'), 'Jörg <j@example.org>', 'every header is decoded');

  const encoded = selectSeries(messages(
    threadMail('=?UTF-8?q?=5BPATCH_v3_1=2F2=5D_KVM=3A_arm64=3A_caf=C3=A9?=', 'e1') +
    threadMail('=?UTF-8?B?W1BBVENIIHYzIDIvMl0gS1ZNOiBhcm02NDogY2Fmw6k=?=', 'e2') +
    threadMail('[PATCH v2 1/1] old', 'old'),
  ));
  t.same(encoded.patches.map((p) => [p.version, p.n, p.total, p.title, p.subject]), [
    [3, 1, 2, 'KVM: arm64: café', '[PATCH v3 1/2] KVM: arm64: café'],
    [3, 2, 2, 'KVM: arm64: café', '[PATCH v3 2/2] KVM: arm64: café'],
  ], 'encoded subjects read as v3, not v1: v3 taken, v2 left out');
  t.match(encoded.patches[0]!.raw, /^Subject: =\?UTF-8\?q\?=5BPATCH/m, 'the mail for git am keeps its header as sent (git mailinfo decodes it)');
  const usual = selectSeries(messages(threadMail('[PATCH 1/1] =?ISO-8859-1?Q?na=EFve?=', 'u')));
  t.same(usual.patches.map((p) => p.title), ['naïve']);
  const reply = selectSeries(messages(threadMail('=?UTF-8?q?Re=3A_=5BPATCH_v3_1=2F2=5D_x?=', 'r') + threadMail('[PATCH v3 1/1] x', 'p')));
  t.same(reply.ignored, [{ subject: 'Re: [PATCH v3 1/2] x', why: 'reply' }], 'an encoded Re: is a reply');
});

t.test('gaps: a missing n/M, or fewer patches than the cover letter announces', async (t) => {
  const gap = selectSeries(messages(threadMail('[PATCH v2 1/3] a', 'a') + threadMail('[PATCH v2 3/3] c', 'c')));
  t.same([gap.version, gap.total, gap.missing, gap.complete, gap.patches.map((p) => p.n)], [2, 3, [2], [], [1, 3]]);
  t.equal(describeGap(gap), 'series v2 is missing patch 2/3 (have 1/3, 3/3)');
  const last = selectSeries(messages(threadMail('[PATCH 1/3] a', 'a') + threadMail('[PATCH 2/3] b', 'b')));
  t.same(last.missing, [3], 'the last one missing: the M of n/M says so');
  const cover = selectSeries(messages(threadMail('[PATCH 0/3] cover', 'c0') + threadMail('[PATCH 1/2] a', 'a') + threadMail('[PATCH 2/2] b', 'b')));
  t.same([cover.total, cover.missing], [3, [3]], 'the cover announces 3');
  t.equal(describeGap(cover), 'series v1 is missing patch 3/3 (have 1/2, 2/2)');
  const several = selectSeries(messages(threadMail('[PATCH v5 2/4] b', 'b')));
  t.equal(describeGap(several), 'series v5 is missing patches 1/4, 3/4, 4/4 (have 2/4)');
  const whole = selectSeries(messages(threadMail('[PATCH 1/2] a', 'a') + threadMail('[PATCH 2/2] b', 'b')));
  t.same([whole.missing, whole.complete, describeGap(whole)], [[], [1], null]);
  const noDiff = selectSeries(messages(threadMail('[PATCH 1/2] a', 'a') + threadMail('[PATCH 2/2] b', 'b', { body: 'The diff got lost.\n' })));
  t.same(noDiff.missing, [2], 'a n/M without a diff of its own is not that patch');
  const replyOnly = selectSeries(messages(threadMail('[PATCH 1/2] a', 'a') + threadMail('Re: [PATCH 2/2] b', 'r2')));
  t.same(replyOnly.missing, [2], 'a reply quoting 2/2 is not 2/2');
});

t.test('a thread with v1 and v2, replies and duplicates: the newest version, one copy of each patch', async (t) => {
  const thread =
    threadMail('[PATCH 1/2] a', 'v1-1', { date: 'Mon, 2 Nov 2026 10:00:00 +0000' }) +
    threadMail('[PATCH 2/2] b', 'v1-2', { date: 'Mon, 2 Nov 2026 10:00:01 +0000' }) +
    threadMail('Re: [PATCH 2/2] b', 'v1-2-reply', { date: 'Tue, 3 Nov 2026 09:00:00 +0000', body: '> diff --git a/x b/x\nNo.\n' }) +
    threadMail('[PATCH v2 2/2] b', 'v2-2-resent', { date: 'Tue, 10 Nov 2026 12:00:00 +0000' }) +
    threadMail('[PATCH v2 0/2] cover', 'v2-0', { date: 'Tue, 10 Nov 2026 10:00:00 +0000', body: 'What changed since v1.\n' }) +
    threadMail('[PATCH v2 1/2] a', 'v2-1', { date: 'Tue, 10 Nov 2026 10:00:01 +0000' }) +
    threadMail('[PATCH v2 2/2] b', 'v2-2', { date: 'Tue, 10 Nov 2026 10:00:02 +0000' }) +
    threadMail('Re: [PATCH v2 1/2] a', 'v2-1-reply', { date: 'Wed, 11 Nov 2026 09:00:00 +0000' });
  const sel = selectSeries(messages(thread));
  t.same([sel.version, sel.versions, sel.complete, sel.missing, sel.total], [2, [1, 2], [1, 2], [], 2]);
  t.same(sel.patches.map((p) => p.messageId), ['v2-1', 'v2-2'], 'the earlier 2/2 by Date, though later in the mbox');
  t.same(sel.cover, { subject: '[PATCH v2 0/2] cover', messageId: 'v2-0' });
  t.same(sel.ignored, [
    { subject: 'Re: [PATCH 2/2] b', why: 'reply' },
    { subject: '[PATCH v2 0/2] cover', why: 'cover letter' },
    { subject: 'Re: [PATCH v2 1/2] a', why: 'reply' },
    { subject: '[PATCH 1/2] a', why: 'version 1 (using v2)' },
    { subject: '[PATCH 2/2] b', why: 'version 1 (using v2)' },
    { subject: '[PATCH v2 2/2] b', why: 'duplicate of v2 2/2 (kept <v2-2>)' },
  ]);
  const v1 = selectSeries(messages(thread), 1);
  t.same([v1.version, v1.patches.map((p) => p.messageId), v1.missing, v1.cover], [1, ['v1-1', 'v1-2'], [], null], 'wantVersion takes v1');
  const sameDate = selectSeries(messages(threadMail('[PATCH 1/1] a', 'first', { date: 'Tue, 10 Nov 2026 10:00:00 +0000' }) + threadMail('[PATCH 1/1] a', 'second', { date: 'Tue, 10 Nov 2026 10:00:00 +0000' })));
  t.same(sameDate.patches.map((p) => p.messageId), ['first'], 'the same Date: the first in the input');
  const oneDate = selectSeries(messages(threadMail('[PATCH 1/1] a', 'undated') + threadMail('[PATCH 1/1] a', 'dated', { date: 'Tue, 10 Nov 2026 09:00:00 +0000' })));
  t.same(oneDate.patches.map((p) => p.messageId), ['undated'], 'a copy without a Date: the first in the input');
});

t.test('the newest version incomplete: chosen all the same, its gap and the older complete version named', async (t) => {
  const thread = threadMail('[PATCH 1/2] a', 'v1-1') + threadMail('[PATCH 2/2] b', 'v1-2') + threadMail('[PATCH v2 1/2] a', 'v2-1');
  const sel = selectSeries(messages(thread));
  t.same([sel.version, sel.missing, sel.complete], [2, [2], [1]]);
  t.equal(describeGap(sel), 'series v2 is missing patch 2/2 (have 1/2); v1 is complete (--series-version 1 takes it)');
  const coverOnly = selectSeries(messages(thread + threadMail('[PATCH v3 0/2] cover', 'v3-0', { body: 'v3 coming.\n' })));
  t.same([coverOnly.version, coverOnly.versions, coverOnly.patches, coverOnly.missing, coverOnly.complete], [3, [1, 2, 3], [], [1, 2], [1]], 'a version with only its cover letter is the newest');
  t.equal(describeGap(coverOnly), 'series v3 is missing patches 1/2, 2/2 (have none); v1 is complete (--series-version 1 takes it)');
  const two = selectSeries(messages(thread.replace('[PATCH v2 1/2] a', '[PATCH v2 1/1] a') + threadMail('[PATCH v3 2/2] b', 'v3-2')));
  t.equal(describeGap(two), 'series v3 is missing patch 1/2 (have 2/2); v1, v2 are complete (--series-version 2 takes it)');
});

t.test('lone [PATCH] mails: distinct patches in input order, one sent twice is one', async (t) => {
  const dir = selectSeries(messages(threadMail('[PATCH] first', 'f') + threadMail('[PATCH] second', 's') + threadMail('[PATCH] first', 'f-again')));
  t.same(dir.patches.map((p) => [p.n, p.total, p.title, p.messageId]), [[1, 2, 'first', 'f'], [2, 2, 'second', 's']]);
  t.same([dir.missing, dir.complete, dir.ignored], [[], [1], [{ subject: '[PATCH] first', why: 'duplicate of v1 1/2 (kept <f>)' }]]);
  const mixed = selectSeries(messages(threadMail('[PATCH 1/1] numbered', 'n') + threadMail('[PATCH] stray', 's')));
  t.same([mixed.patches.map((p) => p.messageId), mixed.ignored], [['n'], [{ subject: '[PATCH] stray', why: 'no n/M in a numbered series (v1)' }]]);
  const versions = selectSeries(messages(threadMail('[PATCH] fix', 'v1') + threadMail('[PATCH v2] fix', 'v2')));
  t.same([versions.version, versions.patches.map((p) => [p.n, p.total, p.messageId])], [2, [[1, 1, 'v2']]], 'a lone patch and its v2');
});

t.test('headers that are not fields, and mails without a Subject', async (t) => {
  t.same([...parseMessage('Subject: s\nnot a field\n continued\nX-A: b\n\nbody\n').headers], [['subject', 's'], ['x-a', 'b']], 'a continuation of a dropped line is dropped with it');
  t.same([...parseMessage('Subject: s\n\tcontinued\n\nbody\n').headers], [['subject', 's continued']]);
  t.same([...parseMessage('__proto__: x\nSubject: s\n\n').headers], [['subject', 's']], 'no prototype keys');
  const flat = selectSeries(messages('Problem =======\nText.\ndiff --git a/x b/x --- a/x +++ b/x @@ -1 +1 @@ -a +b\nFrom: Someone someone@example.org\n'));
  t.same([flat.patches, flat.ignored], [[], [{ subject: '(no subject)', why: 'not a mail: no Subject header' }]], 'text with a diff but no mail headers (a thread copied from a web page) is no patch');
});
