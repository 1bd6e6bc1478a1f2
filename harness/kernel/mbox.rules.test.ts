// Reading a series from a mailing-list thread: the recorded mbox (kernel/fixtures), and the mail shapes it is made of.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { hasDiff, parseMessage, parseSubject, selectSeries, splitMbox } from './mbox.js';

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
  t.same(resend.patches.map((p) => p.messageId), ['again', 'b'], 'the later 1/2 replaces the earlier');
  const lone = selectSeries(messages(mail('[PATCH] lone fix', null)));
  t.same(lone.patches.map((p) => [p.n, p.total, p.version, p.title, p.messageId]), [[1, 1, 1, 'lone fix', null]]);
  t.same([lone.version, lone.versions, lone.missing, lone.cover, lone.ignored], [1, [1], [], null, []]);
  const talk = selectSeries(messages(mail('[PATCH v3 1/2] a', 'a') + mail('[PATCH v3 2/2] b', 'q', 'The diff got lost.\n')));
  t.same(talk.ignored, [{ subject: '[PATCH v3 2/2] b', why: 'no diff' }]);
  t.same(talk.cover, { subject: '[PATCH v3 2/2] b', messageId: 'q' }, 'a mail without a diff stands for the cover of its version');
  t.same(talk.missing, [2]);
  const noSubject = selectSeries(messages('From abc Mon Nov 25 20:00:00 2026\nFrom: A <a@b>\n\nhello\n'));
  t.same(noSubject.ignored, [{ subject: '(no subject)', why: 'no diff' }]);
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
