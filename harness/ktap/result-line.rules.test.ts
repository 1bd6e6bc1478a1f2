// Result lines read one by one: test numbers at the safe-integer limit, `#` placement, TAP 14's `- ` and `\#`.
import t from 'tap';
import { newResultLine, parseResultLine } from './result-line.js';

/** Read `line` as the parser does: `firstHash` from one scan of the input. */
function read(line: string) {
  const out = newResultLine();
  const ok = parseResultLine(line, 0, line.length, line.indexOf('#'), out);
  return ok ? { ok: out.ok, number: out.number, name: out.name, result: out.result, directive: { ...out.directive }, textStart: out.textStart } : null;
}

t.test('test numbers', async (t) => {
  t.equal(read('ok 123456789012345 max')?.number, 123456789012345, '15 digits: still a number');
  t.equal(read('ok 1234567890123456 too big'), null, '16 digits cannot be a test number: the line is unreadable');
  t.same(read('not ok 7# SKIP glued'), { ok: false, number: 7, name: '', result: 'skip', directive: { kind: 'skip', text: 'glued', exitCode: null, data: null }, textStart: 8 });
  t.same(read('ok 3d-test'), { ok: true, number: null, name: '3d-test', result: 'pass', directive: { kind: null, text: null, exitCode: null, data: null }, textStart: 3 });
  t.same(read('ok \t 12 \t twelve'), { ok: true, number: 12, name: 'twelve', result: 'pass', directive: { kind: null, text: null, exitCode: null, data: null }, textStart: 7 });
  t.equal(read('ok 0 zero')?.number, 0);
  t.equal(read('ok 09 padded')?.number, 9);
});

t.test('descriptions and comments', async (t) => {
  t.equal(read('ok 1 - dashed')?.name, 'dashed');
  t.equal(read('ok 1 -dash-glued')?.name, '-dash-glued', 'a dash glued to the text is part of it');
  t.equal(read('ok 1 -')?.name, '');
  t.equal(read('ok 1 - ')?.name, '');
  t.equal(read('ok 1 test#3 kept')?.name, 'test#3 kept', 'a # glued to text is no comment');
  t.same(read('ok 1 a#b # SKIP  why  '), { ok: true, number: 1, name: 'a#b', result: 'skip', directive: { kind: 'skip', text: 'why', exitCode: null, data: null }, textStart: 4 });
  t.equal(read('ok 1 with \\# escaped # TODO later')?.name, 'with # escaped');
  t.same(read('ok 1 # ')?.directive, { kind: null, text: null, exitCode: null, data: null }, 'an empty comment');
  t.same(read('ok 1   spaced   #   rcode=0   '), { ok: true, number: 1, name: 'spaced', result: 'pass', directive: { kind: null, text: null, exitCode: null, data: 'rcode=0' }, textStart: 4 });
  t.same(read('ok #  SKIP'), { ok: true, number: null, name: '', result: 'skip', directive: { kind: 'skip', text: null, exitCode: null, data: null }, textStart: 3 });
  t.same(read('not ok'), { ok: false, number: null, name: '', result: 'fail', directive: { kind: null, text: null, exitCode: null, data: null }, textStart: 6 });
  t.equal(read('ok 1 a \t')?.name, 'a');
});

t.test('one instance, read again and again', async (t) => {
  const out = newResultLine();
  t.same(out, { ok: true, number: null, name: '', result: 'pass', directive: { kind: null, text: null, exitCode: null, data: null }, textStart: 0 });
  parseResultLine('not ok 2 x # exit=254', 0, 21, 11, out);
  t.same([out.ok, out.number, out.name, out.result, out.directive.exitCode], [false, 2, 'x', 'fail', 254]);
  parseResultLine('ok 3 y', 0, 6, -1, out);
  t.same([out.ok, out.number, out.name, out.result, out.directive.exitCode], [true, 3, 'y', 'pass', null], 'nothing left over');
  const line = '  ok 4 z # SKIP r\nnext';
  parseResultLine(line, 2, 17, line.indexOf('#'), out);
  t.same([out.number, out.name, out.directive.text], [4, 'z', 'r'], 'within the offsets given');
});
