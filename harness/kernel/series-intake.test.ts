// Series intake (kernel/series.ts loadSeriesInputs): what a --series input loads as, and what is refused before any
// work: a gap in the n/M numbering is exit 5 naming the missing patches, a file with no patch is a usage error.
// Synthetic mboxes in a temporary directory; the real thread and series under ../shared are read in e2e/07.
import t from 'tap';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSeriesInputs } from './series.js';
import { SeriesIncompleteError, UsageError } from '../util/errors.js';
import { exitCodeForError } from '../run/exit-codes.js';

const dir = mkdtempSync(join(tmpdir(), 'sea-series-intake-'));
const mail = (subject: string, id: string) =>
  `From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nFrom: A U Thor <a@example.org>\nSubject: ${subject}\nMessage-ID: <${id}>\n\nChange.\n---\ndiff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n-- \n2.39.5\n\n`;
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

t.test('a gap is exit 5 naming the missing patch, the patches there and how to fetch the rest', async (t) => {
  const path = file('gap.mbox', mail('[PATCH v2 0/3] cover', 'c0@x') + mail('[PATCH v2 1/3] a', 'p1@x') + mail('[PATCH v2 3/3] c', 'p3@x'));
  const err = await loadSeriesInputs([path]).catch((e: unknown) => e);
  t.type(err, SeriesIncompleteError);
  const e = err as SeriesIncompleteError;
  t.equal(e.message, `--series ${path}: series v2 is missing patch 2/3 (have 1/3, 3/3)`);
  t.equal(e.hint, 'fetch the whole thread, e.g. b4 am c0@x', "the cover letter's Message-ID");
  t.same(e.gap, { version: 2, missing: [2], total: 3 });
  t.equal(e.stage, 'series');
  t.equal(exitCodeForError(e), 5, 'exit 5: the series cannot be applied as posted');
  t.match(e.describe(), /^\[series\] --series .*: series v2 is missing patch 2\/3 \(have 1\/3, 3\/3\)\n {2}hint: fetch the whole thread/);
  const noCover = file('gap-no-cover.mbox', mail('[PATCH 2/2] b', 'only-2@x'));
  t.match(await loadSeriesInputs([noCover]).catch((x: SeriesIncompleteError) => x.hint), 'b4 am only-2@x', 'no cover: the first patch');
});

t.test('the newest version incomplete is refused (no silent fall-back), naming the complete one; asked for, that one loads', async (t) => {
  const path = file('v1-v2.mbox', mail('[PATCH 1/2] a', 'v1-1@x') + mail('[PATCH 2/2] b', 'v1-2@x') + mail('Re: [PATCH 2/2] b', 'r@x') + mail('[PATCH v2 2/2] b', 'v2-2@x'));
  const err = await loadSeriesInputs([path]).catch((e: unknown) => e);
  t.type(err, SeriesIncompleteError);
  t.match((err as Error).message, /series v2 is missing patch 1\/2 \(have 2\/2\); v1 is complete \(--series-version 1 takes it\)$/);
  const [v1] = await loadSeriesInputs([path], 1);
  t.same([v1!.version, v1!.patches.map((p) => p.messageId), v1!.missing], [1, ['v1-1@x', 'v1-2@x'], []]);
});

t.test('one series over several inputs: each part fills the others\' gaps; a gap no input fills is refused', async (t) => {
  const a = file('0001.patch', mail('[PATCH 1/3] a', '1@x'));
  const b = file('0002.patch', mail('[PATCH 2/3] b', '2@x'));
  const c = file('0003.patch', mail('[PATCH 3/3] c', '3@x'));
  const all = await loadSeriesInputs([a, b, c]);
  t.same(all.map((s) => s.patches.map((p) => p.n)), [[1], [2], [3]], 'applied in the order given');
  const err = await loadSeriesInputs([a, c]).catch((e: unknown) => e);
  t.type(err, SeriesIncompleteError);
  t.equal((err as Error).message, `--series ${a}: series v1 is missing patch 2/3 (have 1/3)`);
  const v2 = file('v2-0002.patch', mail('[PATCH v2 2/3] b', 'v2-2@x'));
  t.type(await loadSeriesInputs([a, v2, c]).catch((e: unknown) => e), SeriesIncompleteError, "another version's 2/3 does not fill v1's gap");
});

t.test('a directory of patches; encoded subjects keep their version; a headerless text is a usage error saying why', async (t) => {
  const d = join(dir, 'series');
  mkdirSync(d);
  writeFileSync(join(d, '0000-cover-letter.patch'), mail('[PATCH v3 0/2] cover', 'c@x').replace('diff --git', 'no diff'));
  writeFileSync(join(d, '0001-a.patch'), mail('=?UTF-8?q?=5BPATCH_v3_1=2F2=5D_KVM=3A_arm64=3A_caf=C3=A9?=', '1@x'));
  writeFileSync(join(d, '0002-b.patch'), mail('[PATCH v3 2/2] =?ISO-8859-1?Q?na=EFve?=', '2@x'));
  const [s] = await loadSeriesInputs([d]);
  t.same([s!.version, s!.patches.map((p) => p.title), s!.cover?.messageId], [3, ['KVM: arm64: café', 'naïve'], 'c@x']);
  const flat = file('thread.txt', 'Problem =======\nText.\ndiff --git a/x b/x index 1..2 --- a/x +++ b/x @@ -1 +1 @@ -a +b\nThanks, Alok\n');
  const err = await loadSeriesInputs([flat]).catch((e: unknown) => e);
  t.type(err, UsageError);
  t.match((err as UsageError).message, /no patches to apply; left out:\n {2}\(no subject\): not a mail: no Subject header/);
  t.match((err as UsageError).hint, /diff text but no mail headers .*b4 mbox <message-id>/);
  t.equal(exitCodeForError(err), 2);
});
