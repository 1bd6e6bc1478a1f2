// Series selection from a thread-shaped mbox made from the real patches (the shared series itself is read in
// e2e/07-cli-cheap).
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasDiff, parseMessage, parseSubject, selectSeries, splitMbox } from './mbox.js';

const messagesOf = (text: string) => splitMbox(text).map(parseMessage);

t.test('subjects', async (t) => {
  t.match(parseSubject('[PATCH v2-port 2/3] KVM: arm64: Allow userspace'), { isReply: false, isPatch: true, version: 2, n: 2, total: 3, title: 'KVM: arm64: Allow userspace' });
  t.match(parseSubject('Re: [PATCH v2 3/6] KVM: arm64: x'), { isReply: true, version: 2, n: 3, total: 6 });
  t.match(parseSubject('[RFC PATCH v3 00/10] cover'), { version: 3, n: 0, total: 10 });
  t.match(parseSubject('[PATCH] lone fix'), { version: 1, n: null, title: 'lone fix' });
});

t.test('a thread-shaped mbox: reply with a quoted diff, an older version, shuffled order', async (t) => {
  const text = readFileSync(join(import.meta.dirname, 'fixtures', 'thread-two-versions-with-reply.mbox'), 'utf8');
  const sel = selectSeries(messagesOf(text));
  t.same(sel.versions, [1, 2], 'both versions seen');
  t.equal(sel.version, 2, 'newest taken');
  t.same(sel.patches.map((p) => p.n), [1, 2, 3], 'ordered by n/M, not by position in the mbox');
  t.ok(sel.patches.every((p) => p.version === 2));
  t.ok(sel.ignored.some((i) => i.why === 'reply'), 'the review reply is ignored');
  t.ok(sel.ignored.some((i) => /version 1/.test(i.why)), 'v1 is left out');
  t.equal(sel.patches[1]!.messageId, '20261125-v2-2-iabt@example.org');
  t.equal(sel.patches[0]!.title, 'KVM: arm64: Set FnV for VCPU when FAR_EL2 is invalid', 'a folded subject unfolded');
  t.match(sel.cover, { subject: /^\[PATCH v2-port 0\/3\]/ }, 'cover letter recognised');
  t.ok(sel.ignored.some((i) => i.why === 'cover letter'), 'and left out');
  t.same(sel.missing, []);
  const v1 = selectSeries(messagesOf(text), 1);
  t.same(v1.patches.map((p) => p.n), [1], '--series-version 1 takes the old version');
  t.same(v1.missing, [2, 3], 'and reports what v1 lacks in this mbox');
});

t.test('quoted diffs are not diffs', async (t) => {
  t.notOk(hasDiff('> diff --git a/x b/x\n> --- a/x\n> +++ b/x\n'));
  t.ok(hasDiff('text\ndiff --git a/x b/x\n'));
});
