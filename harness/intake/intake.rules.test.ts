// The pure rules of intake: what a --series argument names, and which base a fetched series is applied to.
import t from 'tap';
import { DEFAULT_ARCHIVE, messageUrl, parseSeriesRef } from './series-ref.js';
import { baseCommitOf, chooseBase } from './base-choice.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';

t.test('msgid: with and without angle brackets', async (t) => {
  t.same(parseSeriesRef('msgid:20251013185903.1372553-1-jiaqiyan@google.com'), { kind: 'msgid', msgid: '20251013185903.1372553-1-jiaqiyan@google.com', archive: null });
  t.same(parseSeriesRef('msgid:<a.b@c.d>'), { kind: 'msgid', msgid: 'a.b@c.d', archive: null });
  t.same(parseSeriesRef('msgid: <a@b> '), { kind: 'msgid', msgid: 'a@b', archive: null });
  for (const bad of ['msgid:', 'msgid:nodomain', 'msgid:a@b@c', 'msgid:a b@c', 'msgid:@b', 'msgid:a@']) t.throws(() => parseSeriesRef(bad), /is not a Message-ID/, bad);
  t.throws(() => parseSeriesRef('msgid:nope'), /"nope" is not a Message-ID/);
});

t.test('paths pass through, also ones with @ or colons', async (t) => {
  for (const p of ['series.mbox', '../shared/series/x.mbox', '/tmp/a@b/x.patch', 'dir/', 'c:odd']) t.same(parseSeriesRef(p), { kind: 'path', path: p });
});

t.test('archive URLs: the inbox is the archive, the decoded segment the Message-ID', async (t) => {
  t.same(parseSeriesRef('https://lore.kernel.org/kvmarm/20251013185903.1372553-1-jiaqiyan@google.com/'), { kind: 'msgid', msgid: '20251013185903.1372553-1-jiaqiyan@google.com', archive: 'https://lore.kernel.org/kvmarm' });
  t.same(parseSeriesRef('https://lore.kernel.org/all/a%2Bb@x.org/T/'), { kind: 'msgid', msgid: 'a+b@x.org', archive: 'https://lore.kernel.org/all' });
  t.same(parseSeriesRef('http://127.0.0.1:8080/test/v2-0@ex.org/t.mbox.gz'), { kind: 'msgid', msgid: 'v2-0@ex.org', archive: 'http://127.0.0.1:8080/test' });
  t.same(parseSeriesRef('https://lore.kernel.org/kvmarm/a@b/raw'), { kind: 'msgid', msgid: 'a@b', archive: 'https://lore.kernel.org/kvmarm' });
  t.same(parseSeriesRef('https://host/a/b/inbox/m@x'), { kind: 'msgid', msgid: 'm@x', archive: 'https://host/a/b/inbox' });
  t.throws(() => parseSeriesRef('https://lore.kernel.org/kvmarm/'), /holds no Message-ID/);
  t.throws(() => parseSeriesRef('https://lore.kernel.org/a@b/'), /holds no Message-ID/, 'an id with no inbox before it');
  t.throws(() => parseSeriesRef('https://lore.kernel.org/kvmarm/a@b/other/page'), /"other\/page" after the Message-ID/);
  t.throws(() => parseSeriesRef('http://'), /not a valid URL/);
});

t.test('messageUrl encodes the id and drops trailing slashes', async (t) => {
  t.equal(messageUrl('http://h/inbox/', 'a+b@c'), 'http://h/inbox/a%2Bb%40c/');
  t.equal(messageUrl('http://h/inbox', 'x@y'), 'http://h/inbox/x%40y/');
  t.equal(DEFAULT_ARCHIVE, 'https://lore.kernel.org/all');
});

t.test('base-commit: from the cover letter first, on a line of its own', async (t) => {
  t.equal(baseCommitOf([`text\n\nbase-commit: ${SHA}\n-- \n2.43\n`]), SHA);
  t.equal(baseCommitOf(['no base', `x\nbase-commit: ${SHA.replace('0', 'f')}\n`, `base-commit: ${SHA}\n`]), SHA.replace('0', 'f'));
  t.equal(baseCommitOf([`> base-commit: ${SHA}\n`]), null, 'quoted');
  t.equal(baseCommitOf([`base-commit: ${SHA.slice(0, 12)}\n`]), null, 'abbreviated');
  t.equal(baseCommitOf([`base-commit:   ${SHA}  \n`]), SHA, 'blanks around');
  t.equal(baseCommitOf([]), null);
});

t.test('chooseBase: the series base when the tree has it, else the configured one, and says why', async (t) => {
  t.same(chooseBase({ baseCommit: SHA, tree: '/k', treeHasBase: true, configured: 'main' }), { ref: SHA, from: 'base-commit', why: `base-commit 0123456789ab named by the series (found in /k)` });
  t.same(chooseBase({ baseCommit: SHA, tree: '/k', treeHasBase: false, configured: 'main' }), { ref: 'main', from: 'configured', why: `the series' base-commit 0123456789ab is not in /k: the configured base main instead (the series may not apply)` });
  t.same(chooseBase({ baseCommit: null, tree: '/k', treeHasBase: false, configured: 'main' }), { ref: 'main', from: 'configured', why: 'the series names no base-commit: the configured base main' });
  t.same(chooseBase({ baseCommit: null, tree: '/k', treeHasBase: true, configured: null }), { ref: null, from: 'configured', why: 'the series names no base-commit: the configured base HEAD' });
  t.same(chooseBase({ baseCommit: SHA, tree: null, treeHasBase: true, configured: null }), { ref: null, from: 'debian-source', why: "the base is Debian's kernel source; the series' base-commit 0123456789ab is not used (give --kernel DIR --base REV to test on a git tree that has it)" });
  t.same(chooseBase({ baseCommit: null, tree: null, treeHasBase: false, configured: null }), { ref: null, from: 'debian-source', why: "the base is Debian's kernel source (the series names no base-commit)" });
});
