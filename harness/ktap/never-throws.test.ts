// The parser on hostile input: the shapes that crashed it (glued results, huge documents, deep nesting), prefixed console lines, binary garbage and seeded random mutations of the real fixtures. Each must give a document that every reporter can write.
import { readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import type { KtapDocument, KtapTest } from '../model/ktap.js';
import { OUTPUT_FORMATS, renderKtap } from '../report/index.js';
import { documentOutcome } from './failures.js';
import { jsonChunks } from './json-chunks.js';
import { MAX_DEPTH, parseKtap } from './parse.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.txt'))
  .sort()
  .map((f) => readFileSync(new URL(f, FIXTURES), 'utf8'));

/** mulberry32: a small seeded PRNG, so that a failure names the seed that reproduces it. */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return (((x ^ (x >>> 14)) >>> 0) / 4294967296) * n;
  };
}

function depth(tests: readonly KtapTest[]): number {
  let max = 0;
  const stack: [readonly KtapTest[], number][] = [[tests, 1]];
  while (stack.length > 0) {
    const [ts, d] = stack.pop()!;
    for (const x of ts) {
      max = Math.max(max, d);
      if (x.subtests.length > 0) stack.push([x.subtests, d + 1]);
    }
  }
  return max;
}

/** Parse, then check the document is one and can be written: an exception here is what `parse` turned into exit 3. */
function parseSafely(text: string): { doc: KtapDocument | null; error: string | null } {
  try {
    const doc = parseKtap(text);
    if (doc.schema !== 'sea-harness/ktap@1' || !Array.isArray(doc.tests) || !Array.isArray(doc.problems)) return { doc, error: 'not a document' };
    JSON.stringify(doc);
    documentOutcome(doc);
    return { doc, error: null };
  } catch (e) {
    return { doc: null, error: String((e as Error)?.stack ?? e) };
  }
}

t.test('results glued on one line: a loop, not recursion (2,000 overflowed the stack)', async (t) => {
  const glued = (n: number, prefix: string) => prefix + Array.from({ length: n }, (_, i) => `ok ${i + 1} # SKIP message without newline ${i + 1}`).join('');
  const top = parseKtap(`TAP version 13\n1..100000\n${glued(100_000, '')}\n`);
  t.equal(top.tests.length, 100_000, '100,000 glued results at the top level');
  t.equal(top.tests[99_999]!.reason, 'message without newline 100000');
  t.strictSame(top.problems, []);
  const runner = parseKtap(`TAP version 13\n1..1\n# selftests: kvm: x\n${glued(20_000, '# ')}\nok 1 selftests: kvm: x\n`);
  t.equal(runner.tests[0]!.subtests.length, 20_000, '20,000 glued behind the runner prefix');
  const indented = parseKtap(`KTAP version 1\n1..1\n  KTAP version 1\n  1..5000\n${glued(5000, '  ')}\nok 1 suite\n`);
  t.equal(indented.tests[0]!.subtests.length, 5000, '5,000 glued in an indented subtest');
  const diag = parseKtap(`1..3000\n# waiting${Array.from({ length: 3000 }, (_, i) => `ok ${i + 1} x`).join('waiting')}\n`);
  t.equal(diag.tests.length, 3000, 'glued to a diagnostic');
  const bail = parseKtap(`1..2\n${'ok 1 aBail out! '.repeat(5000)}\n`);
  t.equal(bail.tests.length, 1, 'thousands of bail-outs on one line');
  t.equal(bail.bailout, 'ok 1 aBail out! '.repeat(4999).trim(), 'the rest of the line is the reason (glued.ts)');
  t.ok(bail.problems.some((p) => p.kind === 'bailout'));
});

t.test('huge documents: 150,000 results, every reporter', async (t) => {
  const lines = ['KTAP version 1', '1..150000'];
  for (let i = 1; i <= 150_000; i++) lines.push(i % 1000 === 0 ? `not ok ${i} test_${i}` : `ok ${i} test_${i}`);
  const doc = parseKtap(`${lines.join('\n')}\n`);
  t.equal(doc.tests.length, 150_000);
  for (const format of OUTPUT_FORMATS) {
    t.doesNotThrow(() => renderKtap(doc, format, { color: false, name: 'huge' }), `--format ${format}`);
  }
  t.equal([...jsonChunks(doc)].join(''), `${JSON.stringify(doc, null, 2)}\n`, 'JSON in chunks');
  t.strictSame(documentOutcome(doc).kind, 'failed');
});

t.test('prefixed console lines: printk time and caller id, journald, syslog', async (t) => {
  const body = ['KTAP version 1', '1..1', '    KTAP version 1', '    # Subtest: suite', '    1..2', '    ok 1 a', '    not ok 2 b', 'not ok 1 suite'];
  const prefixes = [
    (i: number) => `[    0.${String(60000 + i).padStart(6, '0')}][    T1] `,
    (i: number) => `[ ${String(99990 + i).padStart(5)}.000000] `,
    (i: number) => `Dec 01 23:00:${String(i).padStart(2, '0')} host kernel: `,
    (i: number) => `Dec  1 23:00:${String(i).padStart(2, '0')} kvm-host kernel: [    1.5] `,
    (i: number) => `2026-12-01T23:00:${String(i).padStart(2, '0')}+0000 h kernel: `,
  ];
  for (const p of prefixes) {
    const doc = parseKtap(`${p(0)}console noise\n${body.map((l, i) => p(i + 1) + l).join('\n')}\n`);
    t.equal(doc.version, 'KTAP version 1', JSON.stringify(p(0)));
    t.strictSame(doc.plan, { count: 1 });
    t.strictSame(
      doc.tests.map((x) => [x.name, x.result, x.subtests.map((s) => s.result)]),
      [['suite', 'fail', ['pass', 'fail']]],
    );
    t.strictSame(doc.preamble, [`${p(0)}console noise`], 'lines before the version line are kept whole');
  }
});

t.test('deep indentation and nesting: read as ktap.rst says, and never deeper than MAX_DEPTH', async (t) => {
  const twoLevels = parseKtap('KTAP version 1\n1..1\n  KTAP version 1\n  1..1\n      ok 1 deep\nok 1 parent\n');
  t.strictSame(twoLevels.problems, [], 'no made-up error test');
  t.equal(twoLevels.tests[0]!.subtests[0]!.name, 'deep');
  const n = 1500;
  const versions: string[] = [];
  for (let i = 0; i < n; i++) versions.push(`${'  '.repeat(i)}KTAP version 1`, `${'  '.repeat(i)}1..1`);
  for (let i = n - 1; i >= 0; i--) versions.push(`${'  '.repeat(i)}ok 1 level_${i}`);
  const deep = parseSafely(versions.join('\n'));
  t.equal(deep.error, null, '1,500 nested version lines');
  t.ok(depth(deep.doc!.tests) <= MAX_DEPTH, `at most ${MAX_DEPTH} levels`);
  const runner = parseSafely(Array.from({ length: n }, (_, i) => `${'# '.repeat(i)}ok 1 x`).join('\n'));
  t.equal(runner.error, null, '1,500 runner prefixes');
  t.ok(depth(runner.doc!.tests) <= MAX_DEPTH);
  const headers = parseSafely(Array.from({ length: n }, (_, i) => `${'\t'.repeat(i)}# Subtest: s${i}`).join('\n'));
  t.equal(headers.error, null, '1,500 indented subtest headers');
  for (const format of OUTPUT_FORMATS) {
    t.doesNotThrow(() => renderKtap(deep.doc!, format, { color: false, name: 'deep' }), `--format ${format} of the deepest document`);
  }
});

t.test('binary garbage and random input, seeded: a document every time', async (t) => {
  const errors: string[] = [];
  for (let seed = 1; seed <= 40; seed++) {
    const r = prng(seed);
    const bytes = Buffer.alloc(20_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = r(256);
    for (const text of [bytes.toString('utf8'), bytes.toString('latin1')]) {
      const { error } = parseSafely(text);
      if (error !== null) errors.push(`binary seed ${seed}: ${error}`);
    }
  }
  const pieces = ['ok ', 'not ok ', '1..', 'TAP version 13', 'KTAP version 1', '# ', '  ', '\t', 'Bail out!', '# Subtest: x', '---', '...', ' # SKIP', ' # XPASS', '7', '\r', '[  1.000000] ', '[    T1] ', 'Dec 01 23:00:01 h kernel: ', '# Totals: pass:1', '\\#', '\u0000', '\ufeff', '\ud800'];
  for (let seed = 1; seed <= 300; seed++) {
    const r = prng(seed);
    const lines: string[] = [];
    for (let l = r(60); l > 0; l--) {
      let line = '';
      for (let p = r(8); p > 0; p--) line += pieces[Math.floor(r(pieces.length))]! + (r(3) < 1 ? String(Math.floor(r(5))) : '');
      lines.push(line);
    }
    const { error } = parseSafely(lines.join(r(2) < 1 ? '\n' : '\r\n'));
    if (error !== null) errors.push(`pieces seed ${seed}: ${error}`);
  }
  t.strictSame(errors, [], '80 binary inputs and 300 random documents');
});

t.test('the real fixtures, mutated (seeded): lines dropped, doubled, swapped, glued, indented, prefixed', async (t) => {
  const errors: string[] = [];
  const mutations: ((lines: string[], r: (n: number) => number) => void)[] = [
    (l, r) => l.splice(Math.floor(r(l.length)), 1),
    (l, r) => {
      const i = Math.floor(r(l.length));
      l.splice(i, 0, l[i] ?? '');
    },
    (l, r) => {
      const i = Math.floor(r(l.length));
      const j = Math.floor(r(l.length));
      [l[i], l[j]] = [l[j]!, l[i]!];
    },
    (l, r) => {
      // A message without its newline: two lines become one.
      const i = Math.floor(r(l.length - 1));
      l.splice(i, 2, `${l[i]}${l[i + 1]}`);
    },
    (l, r) => {
      const i = Math.floor(r(l.length));
      l[i] = `${['  ', '    ', '\t', '# '][Math.floor(r(4))]}${l[i]}`;
    },
    (l, r) => {
      const i = Math.floor(r(l.length));
      l[i] = `[  ${r(100).toFixed(6)}][    T1] ${l[i]}`;
    },
    (l, r) => {
      const i = Math.floor(r(l.length));
      const s = l[i] ?? '';
      l[i] = s.slice(0, Math.floor(r(s.length + 1)));
    },
  ];
  let runs = 0;
  for (let seed = 1; seed <= 60; seed++) {
    const r = prng(seed * 7919);
    for (const [k, text] of fixtures.entries()) {
      const lines = text.split('\n');
      for (let m = 1 + Math.floor(r(6)); m > 0 && lines.length > 1; m--) mutations[Math.floor(r(mutations.length))]!(lines, r);
      runs++;
      const { error } = parseSafely(lines.join('\n'));
      if (error !== null) errors.push(`fixture ${k}, seed ${seed}: ${error}`);
    }
  }
  t.ok(runs >= 1000, `${runs} mutated documents`);
  t.strictSame(errors, []);
});
