// The bot's pure rules: mails grouped into series (covers, shallow and deep threading, replies, other authors),
// completeness and supersession, which series become jobs and when, and what each ci exit means.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { addressOf, groupSeries, listMessage, normaliseTitle, superseded, type ListMessage } from './threads.js';
import { countFlake, decideExit, decideIntake } from './schedule.js';
import { splitMbox } from '../kernel/mbox.js';
import { SERIES_MBOX } from '../test-support/paths.js';

const A = 'http://127.0.0.1:1/test';
const DIFF = 'diff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n';

function mail(o: { id: string; subject: string; from?: string; irt?: string; refs?: string[]; diff?: boolean; date?: string; seen?: number }): ListMessage {
  const raw = [
    `From: ${o.from ?? 'Jane Dev <jane@example.org>'}`,
    'To: kvmarm@lists.example.org',
    `Subject: ${o.subject}`,
    `Date: ${o.date ?? 'Fri, 04 Dec 2026 10:00:00 +0000'}`,
    `Message-ID: <${o.id}>`,
    ...(o.irt ? [`In-Reply-To: <${o.irt}>`] : []),
    ...(o.refs ? [`References: ${o.refs.map((r) => `<${r}>`).join(' ')}`] : []),
    '',
    o.diff === false ? 'text only\n' : `text\n---\n${DIFF}`,
  ].join('\n');
  return listMessage(raw, A, o.seen ?? 1000)!;
}

/** A series as git send-email threads it: patches answer the cover (or patch 1 without one). */
function series(v: number, n: number, opts: { cover?: boolean; prefix?: string; from?: string; seen?: number; under?: string; title?: string; date?: string } = {}): ListMessage[] {
  const p = opts.prefix ?? `v${v}`;
  const tag = v === 1 ? 'PATCH' : `PATCH v${v}`;
  const title = opts.title ?? 'KVM: arm64: a thing';
  const out: ListMessage[] = [];
  const root = opts.cover === false ? `${p}-1@ex` : `${p}-0@ex`;
  const up = opts.under ? [opts.under] : [];
  if (opts.cover !== false) out.push(mail({ id: root, subject: `[${tag} 0/${n}] ${title}`, diff: false, ...(opts.under ? { irt: opts.under, refs: up } : {}), ...(opts.from ? { from: opts.from } : {}), ...(opts.seen ? { seen: opts.seen } : {}), ...(opts.date ? { date: opts.date } : {}) }));
  for (let i = 1; i <= n; i++) {
    const id = `${p}-${i}@ex`;
    const irt = id === root ? opts.under : root;
    out.push(mail({ id, subject: `[${tag} ${i}/${n}] part ${i}`, ...(irt ? { irt, refs: [...up, ...(id === root ? [] : [root])] } : {}), ...(opts.from ? { from: opts.from } : {}), ...(opts.seen ? { seen: opts.seen + i } : {}), ...(opts.date ? { date: opts.date } : {}) }));
  }
  return out;
}

t.test('listMessage reads the headers the bot keeps', async (t) => {
  const m = mail({ id: 'a@b', subject: '[PATCH 1/2] x', irt: 'c@d', refs: ['e@f', 'c@d'] });
  t.equal(m.msgid, 'a@b');
  t.equal(m.inReplyTo, 'c@d');
  t.same(m.references, ['e@f', 'c@d']);
  t.equal(m.date, '2026-12-04T10:00:00.000Z');
  t.equal(m.hasDiff, true);
  t.equal(m.to, 'kvmarm@lists.example.org');
  t.equal(listMessage('Subject: x\n\nno id\n', A, 1), null, 'no Message-ID, no message');
  t.equal(listMessage('Message-ID: <x@y>\nDate: garbage\n\nb\n', A, 1)!.date, null);
  t.equal(addressOf('Jane Dev <Jane@Example.ORG>'), 'jane@example.org');
  t.equal(addressOf(' bare@x.org '), 'bare@x.org');
  t.equal(normaliseTitle('  KVM:  arm64:\tA Thing '), 'kvm: arm64: a thing');
});

t.test('the shared series mbox (real mails) is one complete series of 3 with its cover', async (t) => {
  const text = readFileSync(SERIES_MBOX, 'utf8');
  const msgs = splitMbox(text).map((raw, i) => listMessage(raw.replace(/^(Date: .*)$/m, `$1\nMessage-ID: <seed-${i}@ex>${i ? '\nIn-Reply-To: <seed-0@ex>' : ''}`), A, 5)!);
  const s = groupSeries(msgs);
  t.equal(s.length, 1);
  t.match(s[0], { root: 'seed-0@ex', total: 3, complete: true, present: [1, 2, 3] });
  t.match(s[0]!.title, /userspace-handled SEA/);
});

t.test('groupSeries: covers, no cover, replies and strangers', async (t) => {
  const v1 = series(1, 2, { seen: 100 });
  const s = groupSeries(v1);
  t.same(s.map((x) => [x.root, x.version, x.total, x.present, x.complete, x.lastSeenAt]), [['v1-0@ex', 1, 2, [1, 2], true, 102]]);
  t.equal(s[0]!.identity, 'jane@example.org\nkvm: arm64: a thing');
  t.equal(s[0]!.from, 'Jane Dev <jane@example.org>');
  t.equal(s[0]!.date, '2026-12-04T10:00:00.000Z');

  const noCover = groupSeries(series(1, 3, { cover: false }));
  t.same(noCover.map((x) => [x.root, x.present, x.complete, x.title]), [['v1-1@ex', [1, 2, 3], true, 'part 1']]);

  const partial = groupSeries(series(2, 3).filter((m) => m.msgid !== 'v2-2@ex'));
  t.same(partial.map((x) => [x.root, x.present, x.complete]), [['v2-0@ex', [1, 3], false]]);

  const withReplies = [...series(1, 1), mail({ id: 'r@ex', subject: 'Re: [PATCH 1/1] part 1', irt: 'v1-1@ex' }), mail({ id: 'q@ex', subject: '[PATCH 1/1] quoted diff in a reply?', irt: 'v1-1@ex', diff: false })];
  t.same(groupSeries(withReplies).map((x) => [x.root, x.present]), [['v1-0@ex', [1]]], 'replies and diffless patches are not patches');

  const coAuthor = [...series(1, 2).filter((m) => m.msgid !== 'v1-2@ex'), mail({ id: 'x@ex', subject: '[PATCH 2/2] part 2', irt: 'v1-0@ex', from: 'Co Author <co@example.org>' })];
  t.same(groupSeries(coAuthor).map((x) => [x.root, x.present, x.complete, x.from]), [['v1-0@ex', [1, 2], true, 'Jane Dev <jane@example.org>']], "a co-author's patch belongs to the cover it answers");

  const wrongSize = [...series(1, 2).filter((m) => m.msgid !== 'v1-2@ex'), mail({ id: 'w@ex', subject: '[PATCH 2/3] part 2', irt: 'v1-0@ex' })];
  t.same(groupSeries(wrongSize).map((x) => [x.root, x.present]), [['v1-0@ex', [1]]], 'a 2/3 is not part of a 0/2');

  const lone = groupSeries([mail({ id: 'lone@ex', subject: '[PATCH] KVM: fix' })]);
  t.same(lone.map((x) => [x.root, x.version, x.total, x.complete, x.title]), [['lone@ex', 1, 1, true, 'KVM: fix']]);
  t.same(groupSeries([mail({ id: 'n@ex', subject: '[PATCH] no diff', diff: false })]), []);
  t.same(groupSeries([mail({ id: 'b@ex', subject: '[PATCH 3/2] odd' })]), [], 'n > M is no patch');
  t.same(groupSeries([mail({ id: 'z@ex', subject: '[PATCH 2/2] orphan', irt: 'gone@ex' })]), [], 'a patch whose root is not there waits');

  const dup = [...series(1, 2), { ...series(1, 2)[1]!, msgid: 'again@ex' }];
  t.same(groupSeries(dup)[0]!.present, [1, 2], 'a patch sent twice counts once');

  const deep = series(1, 3, { cover: false }).map((m, i, all) => (i === 2 ? { ...m, inReplyTo: all[1]!.msgid, references: [all[0]!.msgid, all[1]!.msgid] } : m));
  t.same(groupSeries(deep).map((x) => [x.root, x.complete]), [['v1-1@ex', true]], 'deep threading: 3/3 answers 2/3');
});

t.test('v2 in the thread of v1 is its own series; the newest complete version supersedes', async (t) => {
  const v1 = series(1, 2, { seen: 100 });
  const v2 = series(2, 2, { seen: 200, under: 'v1-0@ex' });
  const all = groupSeries([...v1, ...v2]);
  t.same(all.map((s) => [s.root, s.version, s.complete]).sort(), [['v1-0@ex', 1, true], ['v2-0@ex', 2, true]]);
  t.same([...superseded(all)].map(([k, v]) => [k, v.root]), [['v1-0@ex', 'v2-0@ex']]);
  const v3partial = groupSeries([...v1, ...v2, ...series(3, 2, { seen: 300 }).slice(0, 2)]);
  t.same([...superseded(v3partial)].map(([k, v]) => [k, v.root]), [['v1-0@ex', 'v2-0@ex']], 'an incomplete v3 supersedes nothing yet');
  const other = groupSeries([...v1, ...series(2, 2, { prefix: 'o2', title: 'something else' })]);
  t.same([...superseded(other)], [], 'another title is another series');
  const otherAuthor = groupSeries([...v1, ...series(2, 2, { prefix: 'b2', from: 'Bob <bob@example.org>' })]);
  t.same([...superseded(otherAuthor)], [], 'another author is another series');
  const resend = groupSeries([...v1, ...series(1, 2, { prefix: 'r1', seen: 500 })]);
  t.same([...superseded(resend)].map(([k, v]) => [k, v.root]), [['v1-0@ex', 'r1-0@ex']], 'a RESEND of the same version: the later one');
});

t.test('decideIntake: complete, settled, after since, once, newest', async (t) => {
  const policy = { settleMs: 60_000, sinceMs: null };
  const v1 = series(1, 2, { seen: 1_000 });
  const v2 = series(2, 2, { seen: 2_000, under: 'v1-0@ex' });
  const s = groupSeries([...v1, ...v2]);
  const d = decideIntake(s, [], 2_002 + 60_000, policy);
  t.same(d.queue.map((x) => x.root), ['v2-0@ex']);
  t.same(d.supersede.map((x) => [x.series.root, x.by]), [['v1-0@ex', 'v2-0@ex']]);
  t.same(d.waiting, []);

  const early = decideIntake(s, [], 2_002 + 59_999, policy);
  t.same(early.queue, []);
  t.same(early.waiting, [{ root: 'v2-0@ex', why: 'v2: settling, 1 s to go', settling: true }]);
  t.same(decideIntake(s, [], 2_002 + 30_000, policy).waiting, [{ root: 'v2-0@ex', why: 'v2: settling, 30 s to go', settling: true }]);

  t.same(decideIntake(s, [{ root: 'v2-0@ex', state: 'done' }, { root: 'v1-0@ex', state: 'superseded' }], 1e9, policy), { queue: [], supersede: [], waiting: [] }, 'never twice');
  t.same(decideIntake(s, [{ root: 'v1-0@ex', state: 'queued' }], 1e9, policy).supersede.map((x) => x.series.root), ['v1-0@ex'], 'a queued older version is superseded');
  t.same(decideIntake(s, [{ root: 'v1-0@ex', state: 'running' }], 1e9, policy).supersede.map((x) => x.series.root), [], 'a running one finishes');

  const partial = groupSeries(series(1, 3).slice(0, 3));
  t.same(decideIntake(partial, [], 1e9, policy).waiting, [{ root: 'v1-0@ex', why: 'v1: 2 of 3 patches so far', settling: false }]);

  const since = Date.parse('2026-12-04T10:00:00Z');
  t.same(decideIntake(s, [], 1e9, { settleMs: 0, sinceMs: since }).queue.map((x) => x.root), ['v2-0@ex'], 'posted at since: in');
  t.same(decideIntake(s, [], 1e9, { settleMs: 0, sinceMs: since + 1 }), { queue: [], supersede: [], waiting: [] }, 'posted before since: ignored');
  const undated = groupSeries(series(1, 1, { date: 'not a date' }));
  t.same(decideIntake(undated, [], 1e9, { settleMs: 0, sinceMs: 0 }).queue, [], 'no date with --since: ignored');
  t.same(decideIntake(undated, [], 1e9, { settleMs: 0, sinceMs: null }).queue.map((x) => x.root), ['v1-0@ex']);
});

t.test('decideExit: verdicts final, exit 3 retried within bounds, interrupts requeued', async (t) => {
  t.same(decideExit(0, 0, 2), { kind: 'verdict', verdict: 'ok' });
  t.same(decideExit(1, 2, 2), { kind: 'verdict', verdict: 'regressed' });
  t.same(decideExit(4, 0, 0), { kind: 'verdict', verdict: 'build-failed' });
  t.same(decideExit(5, 0, 2), { kind: 'verdict', verdict: 'apply-failed' });
  t.same(decideExit(3, 0, 2), { kind: 'retry', infraFailures: 1, why: 'infrastructure error (exit 3), retry 1 of 2' });
  t.same(decideExit(3, 1, 2), { kind: 'retry', infraFailures: 2, why: 'infrastructure error (exit 3), retry 2 of 2' });
  t.same(decideExit(3, 2, 2), { kind: 'failed', why: 'infrastructure error (exit 3) 3 times: no retries left (--retries 2)' });
  t.same(decideExit(3, 0, 0), { kind: 'failed', why: 'infrastructure error (exit 3) 1 times: no retries left (--retries 0)' });
  t.same(decideExit(130, 5, 2), { kind: 'requeue', why: 'ci was interrupted (exit 130)' });
  t.same(decideExit(null, 0, 2), { kind: 'requeue', why: 'ci was killed by a signal' });
  t.same(decideExit(2, 0, 2), { kind: 'failed', why: "ci refused its input (exit 2): see the attempt's ci.log" });
  t.same(decideExit(7, 0, 2), { kind: 'failed', why: 'ci exited with 7, which DESIGN.md does not define' });
  t.same(countFlake(undefined, false), { runs: 1, flaked: 0 });
  t.same(countFlake({ runs: 3, flaked: 1 }, true), { runs: 4, flaked: 2 });
  t.same(countFlake({ runs: 3, flaked: 1 }, false), { runs: 4, flaked: 1 });
});
