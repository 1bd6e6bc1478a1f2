// The KTAP parser's rules, each pinned: every fixture against its .json, one inline document per documented choice
// (index.ts), and the line-level helpers on the lines they exist for. No pathological inputs: those are in parse.test.ts.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { parseKtap } from './index.js';
import { parseDirective, resultOf } from './directive.js';
import { consolePrefixEnd, type PrefixShape } from './console-prefix.js';
import { documentFailures, documentOutcome, hasKtap, isFailure } from './failures.js';
import { GlueScanner, findGluedResult, findSplit } from './glued.js';
import { jsonChunks } from './json-chunks.js';
import {
  BAIL_OUT,
  LINE_PATTERNS,
  classify,
  diagnosticStart,
  hasPrefixAt,
  isBlankLine,
  isBlankRun,
  isYamlEnd,
  isYamlStart,
  matchLine,
  prefixEnd,
  sameText,
  skipBlanks,
  tail,
  versionOf,
} from './line-types.js';
import { NOWHERE, NextMatch } from './next-match.js';
import { ProblemList, testLabel } from './problems.js';
import { parseTotals } from './totals.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');
const asJson = (x: unknown): unknown => JSON.parse(JSON.stringify(x));
const kind = (line: string) => classify(line, 0, line.length);

t.test('every recorded fixture parses to its committed document', async (t) => {
  const texts = readdirSync(FIXTURES).filter((f) => f.endsWith('.txt'));
  t.ok(texts.length >= 17);
  // Compared as text: the document's key order (DESIGN.md's, which the JSON reporter prints) is part of it.
  for (const name of texts) t.equal(`${JSON.stringify(parseKtap(fixture(name)), null, 2)}\n`, fixture(name.replace(/\.txt$/, '.json')), name);
});

/** Inline documents, one per rule of index.ts, each with the whole document it must parse to (less the schema). */
const CASES: ReadonlyArray<readonly [string, string, unknown]> = [
  [
    "a second plan is a problem; the first one counts",
    "TAP version 13\n1..2\nok 1 a\n1..3\nok 2 b\n",
    {"version":"TAP version 13","plan":{"count":2},"tests":[{"number":1,"name":"a","result":"pass","reason":null,"diagnostics":[],"subtests":[]},{"number":2,"name":"b","result":"pass","reason":null,"diagnostics":[],"subtests":[]}],"bailout":null,"totals":null,"problems":[{"kind":"duplicate-plan","line":4,"message":"second plan 1..3 after 1..2 (line 2); the first one counts"}],"preamble":[],"epilogue":[]},
  ],
  [
    "a skipped number is a numbering problem; counting goes on from the number given",
    "1..3\nok 1 a\nok 3 c\nok 4 d\n",
    {"version":null,"plan":{"count":3},"tests":[{"number":1,"name":"a","result":"pass","reason":null,"diagnostics":[],"subtests":[]},{"number":3,"name":"c","result":"pass","reason":null,"diagnostics":[],"subtests":[]},{"number":4,"name":"d","result":"pass","reason":null,"diagnostics":[],"subtests":[]}],"bailout":null,"totals":null,"problems":[{"kind":"numbering","line":3,"message":"expected test 2, got test 3"}],"preamble":[],"epilogue":[]},
  ],
  [
    "a bail-out explains the missing results: no count problem",
    "1..2\nok 1 a\nBail out!\n",
    {"version":null,"plan":{"count":2},"tests":[{"number":1,"name":"a","result":"pass","reason":null,"diagnostics":[],"subtests":[]}],"bailout":"","totals":null,"problems":[{"kind":"bailout","line":3,"message":"Bail out!"}],"preamble":[],"epilogue":[]},
  ],
  [
    "a plan before its results and fewer results at the end: truncated, one result",
    "1..3\nok 1 a\n",
    {"version":null,"plan":{"count":3},"tests":[{"number":1,"name":"a","result":"pass","reason":null,"diagnostics":[],"subtests":[]}],"bailout":null,"totals":null,"problems":[{"kind":"truncated","line":2,"message":"plan 1..3 but the output ends after 1 result"}],"preamble":[],"epilogue":[]},
  ],
  [
    "a plan after its results that does not match: plan-mismatch",
    "ok 1 a\nok 2 b\n1..3\n",
    {"version":null,"plan":{"count":3},"tests":[{"number":1,"name":"a","result":"pass","reason":null,"diagnostics":[],"subtests":[]},{"number":2,"name":"b","result":"pass","reason":null,"diagnostics":[],"subtests":[]}],"bailout":null,"totals":null,"problems":[{"kind":"plan-mismatch","line":3,"message":"plan 1..3 but 2 results"}],"preamble":[],"epilogue":[]},
  ],
  [
    "results without a plan: one result",
    "ok 1 a\n",
    {"version":null,"plan":null,"tests":[{"number":1,"name":"a","result":"pass","reason":null,"diagnostics":[],"subtests":[]}],"bailout":null,"totals":null,"problems":[{"kind":"no-plan","line":null,"message":"no plan line (1..N) for 1 result"}],"preamble":[],"epilogue":[]},
  ],
  [
    "results without a plan: two results",
    "ok 1 a\nok 2 b\n",
    {"version":null,"plan":null,"tests":[{"number":1,"name":"a","result":"pass","reason":null,"diagnostics":[],"subtests":[]},{"number":2,"name":"b","result":"pass","reason":null,"diagnostics":[],"subtests":[]}],"bailout":null,"totals":null,"problems":[{"kind":"no-plan","line":null,"message":"no plan line (1..N) for 2 results"}],"preamble":[],"epilogue":[]},
  ],
  [
    "a nested problem names the test it is in",
    "TAP version 13\n1..1\n    KTAP version 1\n    # Subtest: suite\n    1..2\n    ok 1 x\n    ok 3 y\nok 1 suite\n",
    {"version":"TAP version 13","plan":{"count":1},"tests":[{"number":1,"name":"suite","result":"pass","reason":null,"diagnostics":[],"subtests":[{"number":1,"name":"x","result":"pass","reason":null,"diagnostics":[],"subtests":[]},{"number":3,"name":"y","result":"pass","reason":null,"diagnostics":[],"subtests":[]}],"plan":{"count":2}}],"bailout":null,"totals":null,"problems":[{"kind":"numbering","line":7,"message":"in the subtests of test 1 (suite): expected test 2, got test 3"}],"preamble":[],"epilogue":[]},
  ],
  [
    "a nested document cut by a shallower plan still becomes a test",
    "KTAP version 1\n1..2\n  KTAP version 1\n  1..2\n  ok 1 inner\n1..2\nok 1 outer\n",
    {"version":"KTAP version 1","plan":{"count":2},"tests":[{"number":null,"name":"","result":"error","reason":"no result line after the subtests","diagnostics":[],"subtests":[{"number":1,"name":"inner","result":"pass","reason":null,"diagnostics":[],"subtests":[]}],"plan":{"count":2}},{"number":1,"name":"outer","result":"pass","reason":null,"diagnostics":[],"subtests":[]}],"bailout":null,"totals":null,"problems":[{"kind":"truncated","line":6,"message":"the subtests of test 1 were not followed by its result line"},{"kind":"duplicate-plan","line":6,"message":"second plan 1..2 after 1..2 (line 2); the first one counts"},{"kind":"numbering","line":7,"message":"expected test 2, got test 1"}],"preamble":[],"epilogue":[]},
  ],
  [
    "results that cannot be read are problems and unknown lines",
    "1..2\nok1 glued number\nnot  ok 2 two spaces\n",
    {"version":null,"plan":{"count":2},"tests":[],"bailout":null,"totals":null,"problems":[{"kind":"unreadable-result","line":2,"message":"cannot read this as a result line: ok1 glued number"},{"kind":"unreadable-result","line":3,"message":"cannot read this as a result line: not  ok 2 two spaces"},{"kind":"truncated","line":3,"message":"plan 1..2 but the output ends after 0 results"}],"preamble":[],"epilogue":["ok1 glued number","not  ok 2 two spaces"]},
  ],
  [
    "a second version line is an unknown line",
    "TAP version 13\nTAP version 14\n1..0\n",
    {"version":"TAP version 13","plan":{"count":0,"skipReason":null},"tests":[],"bailout":null,"totals":null,"problems":[],"preamble":["TAP version 14"],"epilogue":[]},
  ],
  [
    "a byte order mark, an escaped hash, a SKIP on a TAP 14 line",
    "﻿TAP version 14\n1..1\nok 1 - with \\# hash # SKIP why\n",
    {"version":"TAP version 14","plan":{"count":1},"tests":[{"number":1,"name":"with # hash","result":"skip","reason":"why","diagnostics":[],"subtests":[]}],"bailout":null,"totals":null,"problems":[],"preamble":[],"epilogue":[]},
  ],
  [
    "the runner's exit=N, other data, an exit code too long to be one",
    "1..3\nnot ok 1 selftests: kvm: x # exit=254\nok 2 y # rcode=0\nnot ok 3 z # exit=1234567890123456\n",
    {"version":null,"plan":{"count":3},"tests":[{"number":1,"name":"selftests: kvm: x","result":"fail","reason":null,"diagnostics":[],"exitCode":254,"subtests":[]},{"number":2,"name":"y","result":"pass","reason":null,"diagnostics":["rcode=0"],"subtests":[]},{"number":3,"name":"z","result":"fail","reason":null,"diagnostics":["exit=1234567890123456"],"subtests":[]}],"bailout":null,"totals":null,"problems":[],"preamble":[],"epilogue":[]},
  ],
  [
    "KUnit's short totals line",
    "KTAP version 1\n1..1\n# Totals: pass:2 fail:0 skip:1 total:3\nok 1 s\n",
    {"version":"KTAP version 1","plan":{"count":1},"tests":[{"number":1,"name":"s","result":"pass","reason":null,"diagnostics":["Totals: pass:2 fail:0 skip:1 total:3"],"subtests":[]}],"bailout":null,"totals":{"pass":2,"fail":0,"xfail":0,"xpass":0,"skip":1,"error":0},"problems":[],"preamble":[],"epilogue":[]},
  ],
  [
    "printk timestamps are removed once a version line follows one",
    "[    0.5] random boot line\n[    1.000000] KTAP version 1\n[    1.000001] 1..1\n[    1.000002]     KTAP version 1\n[    1.000003]     # Subtest: s\n[    1.000004]     1..1\n[    1.000005]     ok 1 t\n[    1.000006] ok 1 s\n[    1.000007] [ 2.0] nested stamp\n",
    {"version":"KTAP version 1","plan":{"count":1},"tests":[{"number":1,"name":"s","result":"pass","reason":null,"diagnostics":[],"subtests":[{"number":1,"name":"t","result":"pass","reason":null,"diagnostics":[],"subtests":[]}],"plan":{"count":1}}],"bailout":null,"totals":null,"problems":[],"preamble":["[    0.5] random boot line"],"epilogue":["[ 2.0] nested stamp"]},
  ],
  [
    "without a version line, timestamped lines stay whole",
    "[    1.000000] 1..1\n[    1.000001] ok 1 a\n",
    {"version":null,"plan":null,"tests":[],"bailout":null,"totals":null,"problems":[],"preamble":["[    1.000000] 1..1","[    1.000001] ok 1 a"],"epilogue":[]},
  ],
  [
    "glued results split only at the next number, glued or result-shaped",
    "TAP version 13\n1..3\nok 1 retry ok 2 times\nok 2 EINJ table no available in firmwareok 3 # SKIP x\n",
    {"version":"TAP version 13","plan":{"count":3},"tests":[{"number":1,"name":"retry ok 2 times","result":"pass","reason":null,"diagnostics":[],"subtests":[]},{"number":2,"name":"EINJ table no available in firmware","result":"pass","reason":null,"diagnostics":[],"subtests":[]},{"number":3,"name":"","result":"skip","reason":"x","diagnostics":[],"subtests":[]}],"bailout":null,"totals":null,"problems":[],"preamble":[],"epilogue":[]},
  ],
  [
    "a result-shaped `ok N - ` after a blank splits the line",
    "1..2\nok 1 first ok 2 - second\n",
    {"version":null,"plan":{"count":2},"tests":[{"number":1,"name":"first","result":"pass","reason":null,"diagnostics":[],"subtests":[]},{"number":2,"name":"second","result":"pass","reason":null,"diagnostics":[],"subtests":[]}],"bailout":null,"totals":null,"problems":[],"preamble":[],"epilogue":[]},
  ],
  [
    "1..0 alone",
    "1..0\n",
    {"version":null,"plan":{"count":0,"skipReason":null},"tests":[],"bailout":null,"totals":null,"problems":[],"preamble":[],"epilogue":[]},
  ],
  [
    "1..0 with a comment that is no directive",
    "1..0 # no tests on this CPU\n",
    {"version":null,"plan":{"count":0,"skipReason":"no tests on this CPU"},"tests":[],"bailout":null,"totals":null,"problems":[],"preamble":[],"epilogue":[]},
  ],
  [
    "1..0 # SKIP: reason",
    "1..0 # SKIP: not on TCG\n",
    {"version":null,"plan":{"count":0,"skipReason":"not on TCG"},"tests":[],"bailout":null,"totals":null,"problems":[],"preamble":[],"epilogue":[]},
  ],
  [
    "directives: whole words, a colon or blank after them, any case, glued to the #",
    "1..5\nok 1 a # skipping is not one\nok 2 b # SKIP:colon\nnot ok 3 c # TODO\nok 4 d # xpass\nok 5 e #SKIP glued\n",
    {"version":null,"plan":{"count":5},"tests":[{"number":1,"name":"a","result":"pass","reason":null,"diagnostics":["skipping is not one"],"subtests":[]},{"number":2,"name":"b","result":"skip","reason":"colon","diagnostics":[],"subtests":[]},{"number":3,"name":"c","result":"todo","reason":null,"diagnostics":[],"subtests":[]},{"number":4,"name":"d","result":"xpass","reason":null,"diagnostics":[],"subtests":[]},{"number":5,"name":"e","result":"skip","reason":"glued","diagnostics":[],"subtests":[]}],"bailout":null,"totals":null,"problems":[],"preamble":[],"epilogue":[]},
  ],
  [
    "numbers and descriptions",
    "1..4\nok 3d-test\nnot ok\nok - dashed\nok 4 -\n",
    {"version":null,"plan":{"count":4},"tests":[{"number":null,"name":"3d-test","result":"pass","reason":null,"diagnostics":[],"subtests":[]},{"number":null,"name":"","result":"fail","reason":null,"diagnostics":[],"subtests":[]},{"number":null,"name":"dashed","result":"pass","reason":null,"diagnostics":[],"subtests":[]},{"number":4,"name":"","result":"pass","reason":null,"diagnostics":[],"subtests":[]}],"bailout":null,"totals":null,"problems":[],"preamble":[],"epilogue":[]},
  ],
  [
    "kselftest totals, all six counters",
    "1..1\nok 1 a\n# Totals: pass:1 fail:2 xfail:3 xpass:4 skip:5 error:6\n",
    {"version":null,"plan":{"count":1},"tests":[{"number":1,"name":"a","result":"pass","reason":null,"diagnostics":[],"subtests":[]}],"bailout":null,"totals":{"pass":1,"fail":2,"xfail":3,"xpass":4,"skip":5,"error":6},"problems":[],"preamble":[],"epilogue":["Totals: pass:1 fail:2 xfail:3 xpass:4 skip:5 error:6"]},
  ],
  [
    "totals lines that are not, and one that is despite trailing text",
    "1..1\nok 1 a\n# Totals: garbage\n# Totals: pass:x\n# Totals: total:3\n# Totals:pass:7 foo\n",
    {"version":null,"plan":{"count":1},"tests":[{"number":1,"name":"a","result":"pass","reason":null,"diagnostics":[],"subtests":[]}],"bailout":null,"totals":{"pass":7,"fail":0,"xfail":0,"xpass":0,"skip":0,"error":0},"problems":[],"preamble":[],"epilogue":["Totals: garbage","Totals: pass:x","Totals: total:3","Totals:pass:7 foo"]},
  ],
  [
    "a # glued to text is no nesting prefix",
    "1..1\n#include <stdio.h>\n#\nok 1 a\n",
    {"version":null,"plan":{"count":1},"tests":[{"number":1,"name":"a","result":"pass","reason":null,"diagnostics":["include <stdio.h>",""],"subtests":[]}],"bailout":null,"totals":null,"problems":[],"preamble":[],"epilogue":[]},
  ],
  [
    "a YAML block ends at ..., blank lines inside it are skipped",
    "TAP version 14\n1..1\nok 1 a\n  ---\n  message: hi\n\n  data: 1\n  ...\nafter\n",
    {"version":"TAP version 14","plan":{"count":1},"tests":[{"number":1,"name":"a","result":"pass","reason":null,"diagnostics":["message: hi","data: 1"],"subtests":[]}],"bailout":null,"totals":null,"problems":[],"preamble":[],"epilogue":["after"]},
  ],
  [
    "a bail-out at the top cuts the nested document",
    "TAP version 13\n1..2\n# selftests: kvm: a\n# TAP version 13\n# 1..2\n# ok 1 x\nBail out! runner died\n",
    {"version":"TAP version 13","plan":{"count":2},"tests":[{"number":null,"name":"selftests: kvm: a","result":"error","reason":"no result line after the subtests","diagnostics":["selftests: kvm: a"],"subtests":[{"number":1,"name":"x","result":"pass","reason":null,"diagnostics":[],"subtests":[]}],"plan":{"count":2}}],"bailout":"runner died","totals":null,"problems":[{"kind":"truncated","line":7,"message":"the subtests of test 1 (selftests: kvm: a) were not followed by its result line"},{"kind":"bailout","line":7,"message":"Bail out! runner died"}],"preamble":[],"epilogue":[]},
  ],
  [
    "blank lines are nothing",
    "\n\n  \n1..1\n\t\nok 1 a\n",
    {"version":null,"plan":{"count":1},"tests":[{"number":1,"name":"a","result":"pass","reason":null,"diagnostics":[],"subtests":[]}],"bailout":null,"totals":null,"problems":[],"preamble":[],"epilogue":[]},
  ],
  [
    "a TAP 14 subtest header names the next nested document",
    "TAP version 14\n# Subtest: named later\n    1..1\n    ok 1 leaf\nok 1\n1..1\n",
    {"version":"TAP version 14","plan":{"count":1},"tests":[{"number":1,"name":"named later","result":"pass","reason":null,"diagnostics":[],"subtests":[{"number":1,"name":"leaf","result":"pass","reason":null,"diagnostics":[],"subtests":[]}],"plan":{"count":1}}],"bailout":null,"totals":null,"problems":[],"preamble":[],"epilogue":[]},
  ],
  [
    "a console prefix before the version line (printk time and caller id) is removed from every line that has one of its shape; lines without it stay whole",
    "[    0.060000][    T1] random boot line\n[    0.060000][    T1] KTAP version 1\n[    0.060001][    T1] 1..1\n[    0.060002][    T1]   KTAP version 1\n[    0.060003][    T1]   # Subtest: s\n[    0.060004][    T1]   1..1\n[    0.060005][    T1]   ok 1 t\n[    0.060006][    T1] ok 1 s\nuserspace line without the prefix\n[    0.060007] a prefix of another shape\n",
    {"version":"KTAP version 1","plan":{"count":1},"tests":[{"number":1,"name":"s","result":"pass","reason":null,"diagnostics":[],"subtests":[{"number":1,"name":"t","result":"pass","reason":null,"diagnostics":[],"subtests":[]}],"plan":{"count":1}}],"bailout":null,"totals":null,"problems":[],"preamble":["[    0.060000][    T1] random boot line"],"epilogue":["userspace line without the prefix","[    0.060007] a prefix of another shape"]},
  ],
  [
    "a journald or syslog prefix before the version line is removed the same way, whatever the host and program",
    "Dec 01 23:00:01 host kernel: TAP version 13\nDec 01 23:00:01 host kernel: 1..2\nDec  1 23:00:02 host kernel: ok 1 a\nDec 01 23:00:02 otherhost sea_to_user[231]: not ok 2 b\nDec 1 23:00:03 host kernel: one blank before the day is no syslog time\n",
    {"version":"TAP version 13","plan":{"count":2},"tests":[{"number":1,"name":"a","result":"pass","reason":null,"diagnostics":[],"subtests":[]},{"number":2,"name":"b","result":"fail","reason":null,"diagnostics":[],"subtests":[]}],"bailout":null,"totals":null,"problems":[],"preamble":[],"epilogue":["Dec 1 23:00:03 host kernel: one blank before the day is no syslog time"]},
  ],
  [
    "a version line behind no console prefix: nothing is removed",
    "host: KTAP version 1\n[    1.0] 1..1\n",
    {"version":null,"plan":null,"tests":[],"bailout":null,"totals":null,"problems":[],"preamble":["host: KTAP version 1","[    1.0] 1..1"],"epilogue":[]},
  ],
  [
    "ktap.rst: in a KTAP document a subtest begins with a version line; a result indented deeper without one belongs to the innermost document",
    "KTAP version 1\n1..2\n    KTAP version 1\n    1..1\n        ok 1 test 1\nnot ok 1 subtest 1\n    KTAP version 1\n    1..1\n        not ok 1 subsubtest 1\nnot ok 2 subtest 2\n",
    {"version":"KTAP version 1","plan":{"count":2},"tests":[{"number":1,"name":"subtest 1","result":"fail","reason":null,"diagnostics":[],"subtests":[{"number":1,"name":"test 1","result":"pass","reason":null,"diagnostics":[],"subtests":[]}],"plan":{"count":1}},{"number":2,"name":"subtest 2","result":"fail","reason":null,"diagnostics":[],"subtests":[{"number":1,"name":"subsubtest 1","result":"fail","reason":null,"diagnostics":[],"subtests":[]}],"plan":{"count":1}}],"bailout":null,"totals":null,"problems":[],"preamble":[],"epilogue":[]},
  ],
  [
    "TAP 13 nests by indentation alone: a deeper plan opens a subtest",
    "TAP version 13\n1..1\n    1..1\n    ok 1 leaf\nok 1 parent\n",
    {"version":"TAP version 13","plan":{"count":1},"tests":[{"number":1,"name":"parent","result":"pass","reason":null,"diagnostics":[],"subtests":[{"number":1,"name":"leaf","result":"pass","reason":null,"diagnostics":[],"subtests":[]}],"plan":{"count":1}}],"bailout":null,"totals":null,"problems":[],"preamble":[],"epilogue":[]},
  ],
  [
    "XPASS on ok and not ok is the xpass result (a pass, as kselftest counts it: see failures.ts)",
    "KTAP version 1\n1..2\nok 1 a # XPASS\nnot ok 2 b # XPASS unexpectedly passed\n",
    {"version":"KTAP version 1","plan":{"count":2},"tests":[{"number":1,"name":"a","result":"xpass","reason":null,"diagnostics":[],"subtests":[]},{"number":2,"name":"b","result":"xpass","reason":"unexpectedly passed","diagnostics":[],"subtests":[]}],"bailout":null,"totals":null,"problems":[],"preamble":[],"epilogue":[]},
  ],
];

t.test('one document per rule', async (t) => {
  for (const [name, text, expected] of CASES) t.equal(JSON.stringify(parseKtap(text)), JSON.stringify({ schema: 'sea-harness/ktap@1', ...(expected as object) }), name);
  t.strictSame(asJson(parseKtap('TAP version 13\r\n1..1\r\nok 1 a\r\n')), asJson(parseKtap('TAP version 13\n1..1\nok 1 a\n')), 'CRLF reads as LF');
  t.strictSame(asJson(parseKtap('1..1\nok 1 a')), asJson(parseKtap('1..1\nok 1 a\n')), 'no final newline');
});

t.test('directives', async (t) => {
  const d = (c: string) => parseDirective(c);
  t.strictSame(d('SKIP sve not available'), { kind: 'skip', text: 'sve not available', exitCode: null, data: null });
  t.strictSame(['Skip', 'todo', 'XFAIL', 'xPass', 'Timeout', 'ERROR'].map((k) => d(k).kind), ['skip', 'todo', 'xfail', 'xpass', 'timeout', 'error']);
  t.strictSame(d('TIMEOUT 120 seconds'), { kind: 'timeout', text: '120 seconds', exitCode: null, data: null });
  t.strictSame(d('SKIP:\t: reason'), { kind: 'skip', text: 'reason', exitCode: null, data: null }, 'blanks and colons after the keyword');
  t.strictSame(d('SKIP'), { kind: 'skip', text: null, exitCode: null, data: null });
  t.strictSame(d('SKIPPED'), { kind: null, text: null, exitCode: null, data: 'SKIPPED' });
  t.strictSame(d('Todo-list'), { kind: null, text: null, exitCode: null, data: 'Todo-list' });
  t.strictSame(d('skiq x'), { kind: null, text: null, exitCode: null, data: 'skiq x' });
  t.strictSame(d('exit=254'), { kind: null, text: null, exitCode: 254, data: null });
  t.strictSame(d('exit=123456789012345'), { kind: null, text: null, exitCode: 123456789012345, data: null }, '15 digits');
  t.strictSame(d('exit=1234567890123456').data, 'exit=1234567890123456', '16 digits: not a safe exit code');
  t.strictSame(d('exit=').data, 'exit=');
  t.strictSame(d('exit=12a').data, 'exit=12a');
  t.strictSame(d('exit=1/').data, 'exit=1/', 'a character after the digits');
  t.strictSame(d('exit=:').data, 'exit=:', 'a character before the digits');
  t.strictSame(d('rcode=0').data, 'rcode=0');
  t.strictSame(d(''), { kind: null, text: null, exitCode: null, data: null });
  t.strictSame([resultOf(true, null), resultOf(false, null), resultOf(false, 'skip'), resultOf(true, 'xfail')], ['pass', 'fail', 'skip', 'xfail']);
});

t.test('line kinds', async (t) => {
  const rows: Array<[string, string]> = [
    ['ok', 'result'],
    ['ok 1 a', 'result'],
    ['ok\t1', 'result'],
    ['ok#', 'result'],
    ['not ok', 'result'],
    ['not ok 2', 'result'],
    ['okay', 'other'],
    ['ok1 x', 'unreadable'],
    ['not ok1', 'unreadable'],
    ['not  ok 1', 'unreadable'],
    ['not\tok 1', 'unreadable'],
    ['not okay', 'other'],
    ['note', 'other'],
    ['no', 'other'],
    ['nothing ok', 'other'],
    ['o', 'other'],
    ['1..4', 'plan'],
    ['1..0 # SKIP x', 'plan'],
    ['1..4   ', 'plan'],
    ['1..', 'other'],
    ['1..x', 'other'],
    ['1.4', 'other'],
    ['1,.4', 'other'],
    ['12..4', 'other'],
    ['KTAP version 1', 'version'],
    ['TAP version 13', 'version'],
    ['TAP version 14', 'version'],
    ['TAP version 14  ', 'version'],
    ['TAP version 12', 'other'],
    ['TAP version 15', 'other'],
    ['KTAP version 2', 'other'],
    ['KTAP version 1 extra', 'other'],
    ['Totals: pass:1', 'other'],
    ['TAP', 'other'],
    ['Kernel panic', 'other'],
    ['Bail out! x', 'bailout'],
    ['Bail out!', 'bailout'],
    ['Bail out', 'other'],
    ['Ball out!', 'other'],
    ['B', 'other'],
    ['# ok 1', 'other'],
    ['', 'other'],
  ];
  for (const [line, want] of rows) t.equal(kind(line), want, JSON.stringify(line));
  t.equal(classify('xx ok 1 a', 3, 9), 'result', 'from an offset');
  t.equal(classify('ok\n', 0, 2), 'result', 'the line ends at a newline');
  t.equal(classify('not ok\r', 0, 6), 'result');
  t.equal(versionOf('KTAP version 1', 0), 'KTAP version 1');
  t.equal(versionOf('TAP version 13', 0), 'TAP version 13');
  t.equal(versionOf('TAP version 14', 0), 'TAP version 14');
  t.equal(versionOf('# TAP version 13', 2), 'TAP version 13');
});

t.test('prefixes, blanks, tails', async (t) => {
  t.equal(prefixEnd('    ok 1', 0, 8), 4);
  t.equal(prefixEnd('\t# # ok 1', 0, 9), 5, 'tabs and runner prefixes mixed');
  t.equal(prefixEnd('#include', 0, 8), 0, 'a # glued to text');
  t.equal(prefixEnd('# #1', 0, 4), 2);
  t.equal(prefixEnd('#', 0, 1), 1, 'a lone # at the end');
  t.equal(prefixEnd('  #', 0, 3), 3);
  t.equal(prefixEnd('ok', 0, 2), 0);
  t.equal(prefixEnd('x  ok', 1, 5), 3, 'from an offset');
  t.equal(skipBlanks(' \t x', 0, 4), 3);
  t.equal(skipBlanks('   ', 0, 2), 2, 'stops at the end');
  t.equal(diagnosticStart('# text', 0, 6), 2);
  t.equal(diagnosticStart('#text', 0, 5), 1);
  t.equal(diagnosticStart('#', 0, 1), 1);
  t.equal(diagnosticStart('#\tx', 0, 3), 2);
  t.ok(isBlankLine(' \t\r', 0, 3));
  t.notOk(isBlankLine(' x ', 0, 3));
  t.ok(isBlankLine('abc', 1, 1), 'an empty range');
  t.equal(tail('  keep  \t', 2, 9), 'keep');
  t.equal(tail('   ', 0, 3), '');
  t.equal(tail('a b', 0, 3), 'a b');
  t.ok(hasPrefixAt('    ok', 0, 6, '    '));
  t.notOk(hasPrefixAt('  ok', 0, 4, '    '));
  t.notOk(hasPrefixAt('  ', 0, 2, '   '), 'shorter than the prefix');
  t.ok(hasPrefixAt('x# y', 1, 4, '# '));
  t.ok(sameText('# ', 'x# y', 1, 3));
  t.notOk(sameText('# ', 'x# y', 1, 4), 'another length');
  t.notOk(sameText('##', 'x# y', 1, 3));
  t.ok(isYamlStart('  ---', 0, 5, ''));
  t.ok(isYamlStart('    ---  ', 0, 9, '  '));
  t.notOk(isYamlStart('---', 0, 3, ''), 'not indented');
  t.notOk(isYamlStart('  --- x', 0, 7, ''));
  t.notOk(isYamlStart('  -- ', 0, 5, ''));
  t.notOk(isYamlStart('  ', 0, 2, '  '), 'nothing after the prefix');
  t.notOk(isYamlStart('# ---', 0, 5, '  '), 'another prefix');
  t.ok(isYamlEnd('  ...', 0, 5));
  t.ok(isYamlEnd('...', 0, 3));
  t.notOk(isYamlEnd('  ... x', 0, 7));
  t.notOk(isYamlEnd('  ..', 0, 4));
  t.ok(isBlankRun(' \t ', 0, 3));
  t.notOk(isBlankRun('  # ', 0, 4), 'a runner prefix is no indentation');
  t.ok(isBlankRun('x', 0, 0), 'an empty range');
  t.equal(matchLine(LINE_PATTERNS.yamlEnd, '  ...\nmore', 0, 5)?.[0], '  ...');
  t.equal(LINE_PATTERNS.runnerHeader.test('selftests: kvm: sea_to_user'), true);
  t.equal(LINE_PATTERNS.runnerHeader.test('selftests:  kvm'), false);
  t.equal(matchLine(LINE_PATTERNS.subtest, 'x  # Subtest: name  ', 1, 20)?.[2], 'name  ');
  t.equal(BAIL_OUT, 'Bail out!');
});

t.test('totals lines', async (t) => {
  const totals = (s: string) => parseTotals(s, 0, s.length);
  t.strictSame(totals('Totals: pass:1 fail:2 xfail:3 xpass:4 skip:5 error:6'), { pass: 1, fail: 2, xfail: 3, xpass: 4, skip: 5, error: 6 });
  t.strictSame(totals('Totals: pass:2 fail:0 skip:1 total:3'), { pass: 2, fail: 0, xfail: 0, xpass: 0, skip: 1, error: 0 });
  t.strictSame(totals('Totals:\tpass:1'), { pass: 1, fail: 0, xfail: 0, xpass: 0, skip: 0, error: 0 });
  t.equal(totals('Totals: total:3'), null, 'no counter of the model');
  t.equal(totals('Totals: garbage'), null);
  t.equal(totals('Totals: pass:'), null);
  t.equal(totals('Totals'), null);
  t.equal(totals('Total: pass:1'), null);
  t.equal(totals('totals: pass:1'), null);
  t.strictSame(totals('Totals: pass:1 fail'), { pass: 1, fail: 0, xfail: 0, xpass: 0, skip: 0, error: 0 }, 'a key without a colon ends it');
  t.strictSame(totals('Totals: pass:1 fail :2'), { pass: 1, fail: 0, xfail: 0, xpass: 0, skip: 0, error: 0 });
  t.strictSame(totals('Totals: passes:1 failing:2 skip:3'), { pass: 0, fail: 0, xfail: 0, xpass: 0, skip: 3, error: 0 }, 'only whole names');
  t.strictSame(totals('Totals: pass:1234567890123456789'), { pass: 123456789012345, fail: 0, xfail: 0, xpass: 0, skip: 0, error: 0 }, 'at most 15 digits read');
  t.strictSame(parseTotals('# Totals: fail:9 #', 2, 16), { pass: 0, fail: 9, xfail: 0, xpass: 0, skip: 0, error: 0 }, 'within the range given');
});

t.test('glued results', async (t) => {
  const line = 'ok 1 # SKIP EINJ table no available in firmwareok 2 # SKIP EINJ module probably not loaded?Bail out! Failed';
  t.equal(findGluedResult(line, 4, line.indexOf('Bail'), 2), line.indexOf('ok 2'));
  t.equal(findGluedResult(line, 4, line.indexOf('Bail'), 3), -1, 'not the next number');
  t.equal(findSplit(line, 0, 4, 2), line.indexOf('ok 2'));
  t.equal(findSplit(line, 0, 4, null), line.indexOf('Bail out!'), 'no number to look for: the bail-out');
  t.equal(findSplit('ok 1 done', 0, 4, 2), -1);
  t.equal(findSplit('Bail out! first Bail out! second', 0, 0, null), 16, 'a bail-out at the start is the line itself');
  const notOk = 'ok 1 x not ok 2 - y';
  t.equal(findGluedResult(notOk, 4, notOk.length, 2), 7, '`not ok` taken whole');
  t.equal(findGluedResult('ok 1 xnot ok 2', 4, 14, 2), 6, 'glued `not ok` at the end of the line');
  t.equal(findGluedResult('ok 1 retry ok 2 times', 4, 21, 2), -1, 'ordinary text');
  t.equal(findGluedResult('ok 1 aok 2# b', 4, 13, 2), 6, '`#` right after the number');
  t.equal(findGluedResult('ok 1 a ok 2# b', 4, 14, 2), -1, 'after a blank it must be shaped like a result line');
  t.equal(findGluedResult('ok 1 a ok 22 - b', 4, 16, 2), -1, 'another number');
  t.equal(findGluedResult('ok 1 a ok x', 4, 11, 2), -1, 'no number');
  t.equal(findGluedResult('ok 1 aok 2x', 4, 11, 2), -1, 'a letter after the number');
  t.equal(findGluedResult('ok 2 x', 0, 6, 2), -1, 'not before `from`');
  t.equal(findGluedResult('xok 2 y', 0, 7, 2), 1);
  const g = new GlueScanner('ok 1 a\nback it\nBail out! x\nplain\nok 2\n');
  t.ok(g.mayHold(0, 6), '`ok ` at the start');
  t.notOk(g.mayHold(7, 14), '`k ` after another letter');
  t.ok(g.mayHold(15, 26), 'a bail-out');
  t.notOk(g.mayHold(27, 32));
  t.notOk(g.mayHold(33, 34), 'cut before `k `');
});

t.test('finding the next occurrence from growing offsets', async (t) => {
  const m = new NextMatch('a#b#c', '#');
  t.equal(m.find(0), 1);
  t.equal(m.find(1), 1);
  t.equal(m.find(2), 3);
  t.equal(m.find(4), NOWHERE);
  t.equal(m.find(0), 1, 'going back searches again');
  t.ok(m.within(0, 2));
  t.notOk(m.within(0, 1));
  t.notOk(new NextMatch('abc', 'Bail out!').within(0, 3));
  t.equal(NOWHERE, 2 ** 30);
});

t.test('problems: labels, nesting paths, input order', async (t) => {
  t.equal(testLabel(3, 'selftests: kvm: sea_to_user'), 'test 3 (selftests: kvm: sea_to_user)');
  t.equal(testLabel(null, 'x'), 'test (x)');
  t.equal(testLabel(2, ''), 'test 2');
  t.equal(testLabel(null, ''), 'test');
  const inner = new ProblemList();
  inner.add('numbering', 9, 'expected test 2, got test 3');
  const middle = new ProblemList();
  middle.add('bailout', null, 'Bail out!');
  middle.adopt(inner, 'test 1 (leaf)');
  t.equal(inner.length, 0, 'taken over');
  const top = new ProblemList();
  top.add('plan-mismatch', 4, 'plan 1..2 but 1 result');
  top.adopt(middle, 'test 2 (suite)');
  top.add('duplicate-plan', 4, 'second');
  t.equal(top.length, 4);
  t.strictSame(top.finish(), [
    { kind: 'plan-mismatch', line: 4, message: 'plan 1..2 but 1 result' },
    { kind: 'duplicate-plan', line: 4, message: 'second' },
    { kind: 'numbering', line: 9, message: 'in the subtests of test 2 (suite) > test 1 (leaf): expected test 2, got test 3' },
    { kind: 'bailout', line: null, message: 'in the subtests of test 2 (suite): Bail out!' },
  ], 'by line, then in the order found; no line last');
  const empty = new ProblemList();
  empty.clear();
  t.strictSame(empty.finish(), []);
});

t.test('console prefixes: each shape, and only the shape found before the version line', async (t) => {
  const any = (line: string) => {
    const found: { shape: PrefixShape | null } = { shape: null };
    return [consolePrefixEnd(line, 0, line.length, null, found), found.shape];
  };
  const time = { syslog: false, time: true, caller: false };
  const caller = { syslog: false, time: true, caller: true };
  const syslog = { syslog: true, time: false, caller: false };
  t.strictSame(any('[   12.345678] x'), [15, time], 'printk time and one blank');
  t.strictSame(any('[   12.345678]x'), [14, time], 'no blank after it');
  t.strictSame(any('[    0.060000][    T1] x'), [23, caller], 'printk time and caller id');
  t.strictSame(any('[    C0] x'), [9, { syslog: false, time: false, caller: true }], 'caller id alone');
  t.strictSame(any('Dec  1 23:00:01 host kernel: x'), [29, syslog], 'syslog, day padded with a blank');
  t.strictSame(any('Dec 01 23:00:01.123456 host kernel: x'), [36, syslog], 'journalctl short-precise');
  t.strictSame(any('2026-12-01T23:00:01+0000 host prog[12]: x'), [40, syslog], 'journalctl short-iso, a pid');
  t.strictSame(any('2026-12-01T23:00:01.5Z h k: x'), [28, syslog], 'ISO time with fraction and Z');
  t.strictSame(any('Dec 01 23:00:01 host kernel: [    1.5] x'), [39, { syslog: true, time: true, caller: false }], 'syslog then printk time');
  t.strictSame(any('dec 01 23:00:01 host kernel: x'), [0, null], 'a month starts with a capital');
  t.strictSame(any('Dec 01 23:00 host kernel: x'), [0, null], 'seconds are needed');
  t.strictSame(any('Dec 01 23:00:01 host kernel x'), [0, null], 'no colon after the program');
  t.strictSame(any('[ 1.5 ] x'), [0, null]);
  t.strictSame(any('[T1] x'), [5, { syslog: false, time: false, caller: true }]);
  t.strictSame(any('[X1] x'), [0, null], 'caller ids are T or C');
  t.strictSame(any('#[ 1.5] x'), [0, null], 'starts with no bracket, letter or digit');
  t.strictSame(any(''), [0, null]);
  t.equal(consolePrefixEnd('[ 1.5] x', 0, 8, time), 7);
  t.equal(consolePrefixEnd('[ 1.5][ T1] x', 0, 13, time), 6, 'only the parts of the shape');
  t.equal(consolePrefixEnd('[ 1.5] x', 0, 8, caller), 0, 'a part of the shape missing: nothing removed');
  t.equal(consolePrefixEnd('[ T1] x', 0, 7, caller), 0, 'the time missing');
  t.equal(consolePrefixEnd('Dec 01 23:00:01 h k: x', 0, 22, syslog), 21);
  t.equal(consolePrefixEnd('[ 1.5] x', 0, 8, syslog), 0);
  t.equal(consolePrefixEnd('x[ 1.5] y', 1, 9, time), 8, 'from an offset');
  t.equal(consolePrefixEnd('[ 1.5]\n y', 0, 6, time), 6, 'the blank after it is not read past the end');
  t.equal(consolePrefixEnd('[ 1.5] y', 0, 5, time), 0, 'not past the end');
  t.equal(consolePrefixEnd('Dec 01 23:00:01 h k: x', 0, 15, syslog), 0, 'syslog prefix not past the end');
  t.equal(consolePrefixEnd('[ T1] y', 0, 4, { syslog: false, time: false, caller: true }), 0, 'caller id not past the end');
});

t.test('document outcome: what fails, XPASS as a pass, no KTAP', async (t) => {
  t.strictSame(
    (['pass', 'fail', 'skip', 'xfail', 'xpass', 'todo', 'timeout', 'error'] as const).filter(isFailure),
    ['fail', 'timeout', 'error'],
    'kselftest counts XPASS as a pass (ksft_finished()), TODO and XFAIL as expected failures',
  );
  const outcome = (text: string) => documentOutcome(parseKtap(text));
  t.strictSame(outcome(''), { kind: 'no-ktap' });
  t.strictSame(outcome('Random seed: 0x1\n==== Test Assertion Failure ====\n'), { kind: 'no-ktap' }, 'only unknown lines');
  t.strictSame(outcome('1..0 # SKIP no EINJ\n'), { kind: 'ok' }, 'a plan alone is KTAP');
  t.strictSame(outcome('TAP version 13\n'), { kind: 'ok' }, 'a version line alone is KTAP');
  t.strictSame(outcome('ok 1 a # XPASS\nnot ok 2 b # TODO\nnot ok 3 c # XFAIL\nok 4 d # SKIP\n1..4\n'), { kind: 'ok' });
  t.strictSame(outcome('Bail out!\n'), { kind: 'failed', failures: ['bail out'] }, 'a bail-out alone is KTAP, and a failure');
  t.strictSame(outcome('1..1\nBail out! no /dev/kvm\n'), { kind: 'failed', failures: ['bail out: no /dev/kvm'] });
  t.strictSame(outcome('1..3\nok 1 a\n'), { kind: 'failed', failures: ['plan 1..3 but the output ends after 1 result'] }, 'output that ends early');
  t.strictSame(outcome('1..2\nok 1 a\nok 2 b\nok 3 c\n'), { kind: 'ok' }, 'other problems are no failure');
  t.strictSame(
    outcome('1..3\nnot ok 1 a # TIMEOUT 30 seconds\nok 2 # error whoops\nok 3\n'),
    { kind: 'failed', failures: ['a: timeout (30 seconds)', 'test 2: error (whoops)'] },
  );
  const nested = parseKtap(
    'TAP version 13\n1..2\n# selftests: kvm: x\n# 1..2\n# not ok 1\n# ok 2 fine\n# Bail out! gave up\nnot ok 1 selftests: kvm: x # exit=1\n# TAP version 13\n# 1..1\n# ok 1 leaf\n',
  );
  t.strictSame(documentFailures(nested), [
    'selftests: kvm: x: fail',
    'selftests: kvm: x: bail out: gave up',
    'selftests: kvm: x / test 1: fail',
    "test: error (output ended before this test's result line)",
  ], 'nested failures with their path; a cut-off document only once, as its error test');
  t.notOk(hasKtap(parseKtap('# just a comment\n')));
  t.ok(hasKtap(parseKtap('ok\n')));
});

t.test('JSON in chunks is JSON.stringify(doc, null, 2) and a newline', async (t) => {
  const same = (value: unknown, name: string) => t.equal([...jsonChunks(value)].join(''), `${JSON.stringify(value, null, 2)}\n`, name);
  for (const name of readdirSync(FIXTURES).filter((f) => f.endsWith('.txt'))) same(parseKtap(fixture(name)), name);
  same({ a: [], b: {}, c: [1, 'x', null, true, { d: [[]] }], e: undefined, f: 'q"\\\n\u2028', g: -0.5 }, 'every kind of value; undefined properties left out');
  same([undefined, () => 1, NaN], 'undefined, functions and NaN in arrays are null');
  same('text', 'a string alone');
  same(null, 'null alone');
  const many = parseKtap(`1..20000\n${Array.from({ length: 20000 }, (_, i) => `ok ${i + 1} test number ${i + 1} # SKIP why`).join('\n')}\n`);
  const chunks = [...jsonChunks(many)];
  t.ok(chunks.length > 1, 'a big document is more than one chunk');
  t.ok(chunks.every((c) => c.length < (1 << 20) + 4096), 'each chunk about 1 MiB at most');
  t.equal(chunks.join(''), `${JSON.stringify(many, null, 2)}\n`);
});
