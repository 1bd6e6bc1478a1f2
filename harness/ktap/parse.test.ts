// Parser tests: every fixture against its committed .json, then the key facts of each situation and edge cases on inline text.
import { readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import type { KtapDocument, KtapTest } from '../model/ktap.js';
import { parseKtap } from './parse.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const names = readdirSync(FIXTURES).sort();
const texts = names.filter((f) => f.endsWith('.txt'));

function fixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

function parseFixture(name: string): KtapDocument {
  return parseKtap(fixture(`${name}.txt`));
}

/** The document as the JSON reporter prints it, so optional fields compare as they are written. */
function asJson(doc: KtapDocument): unknown {
  return JSON.parse(JSON.stringify(doc));
}

function kinds(doc: KtapDocument): string[] {
  return doc.problems.map((p) => p.kind);
}

function results(tests: readonly KtapTest[]): string[] {
  return tests.map((x) => x.result);
}

t.test('every fixture parses to its committed .json', async (t) => {
  t.ok(texts.length >= 13, 'fixtures are present');
  for (const name of texts) {
    const json = name.replace(/\.txt$/, '.json');
    t.ok(names.includes(json), `${json} exists`);
    if (!names.includes(json)) continue;
    const expected: unknown = JSON.parse(fixture(json));
    t.strictSame(asJson(parseKtap(fixture(name))), expected, name);
  }
  for (const json of names.filter((f) => f.endsWith('.json'))) {
    t.ok(texts.includes(json.replace(/\.json$/, '.txt')), `${json} has its .txt`);
  }
});

t.test('sea_to_user on QEMU: two skips glued on one line with a bail-out', async (t) => {
  const text = fixture('sea-to-user-no-einj-skip-bailout.txt');
  t.match(text, /firmwareok 2 # SKIP EINJ module probably not loaded\?Bail out! /, 'the fixture holds the glued line byte for byte');
  const doc = parseKtap(text);
  t.equal(doc.version, null);
  t.equal(doc.plan, null);
  t.strictSame(results(doc.tests), ['skip', 'skip']);
  t.strictSame(
    doc.tests.map((x) => [x.number, x.reason]),
    [
      [1, 'EINJ table no available in firmware'],
      [2, 'EINJ module probably not loaded?'],
    ],
  );
  t.equal(doc.bailout, 'Failed to write EINJ entry: No such file or directory (2)');
  t.strictSame(doc.totals, { pass: 0, fail: 0, xfail: 0, xpass: 0, skip: 2, error: 0 });
  t.ok(kinds(doc).includes('no-plan'), 'missing plan reported');
  t.ok(kinds(doc).includes('bailout'), 'bail-out reported');
  t.equal(doc.preamble?.[0], 'Random seed: 0x276adee7', 'lines before the first result are the preamble');
  t.ok(doc.epilogue?.includes('Planned tests != run tests (0 != 2)'));
});

t.test('kselftest runner: every line of a test behind "# ", nested KTAP attached to the runner result', async (t) => {
  const doc = parseFixture('kselftest-runner-wrapped');
  t.equal(doc.version, 'TAP version 13');
  t.strictSame(doc.plan, { count: 4 });
  t.strictSame(results(doc.tests), ['pass', 'pass', 'fail', 'fail']);
  const [regs, aborts, sea, iabt] = doc.tests;
  t.strictSame(results(regs!.subtests), ['pass', 'pass', 'skip', 'skip']);
  t.strictSame(regs!.plan, { count: 4 });
  t.equal(regs!.totals?.skip, 2);
  t.strictSame(aborts!.subtests, []);
  t.equal(sea!.exitCode, 1);
  t.strictSame(results(sea!.subtests), ['skip', 'skip'], 'the glued line splits inside the runner prefix too');
  t.equal(sea!.bailout, 'Failed to write EINJ entry: No such file or directory (2)');
  t.equal(doc.bailout, null, "a test's bail-out does not end the runner's document");
  t.equal(iabt!.exitCode, 254);
  t.equal(iabt!.reason, null, '`# exit=N` is data, not a directive');
  t.ok(iabt!.diagnostics.includes('  arm64/inject_iabt.c:71: r && errno == EINVAL'), 'assertion kept with its indentation');
  t.strictSame(
    doc.problems.map((p) => [p.kind, p.line]),
    [
      ['bailout', 21],
      ['no-plan', 21],
    ],
  );
  t.match(doc.problems[1]!.message, /subtests of test 3 \(selftests: kvm: sea_to_user\)/);
});

t.test('output without KTAP: no tests, no plan, no problem', async (t) => {
  for (const name of ['kvm-assertion-failure', 'external-aborts-no-ktap', 'inject-iabt-pass-no-ktap']) {
    const doc = parseFixture(name);
    t.equal(doc.version, null, name);
    t.equal(doc.plan, null, name);
    t.strictSame(doc.tests, [], name);
    t.strictSame(doc.problems, [], name);
  }
  const failure = parseFixture('kvm-assertion-failure');
  t.ok(failure.preamble?.includes('==== Test Assertion Failure ===='));
  t.ok(failure.preamble?.includes('  arm64/inject_iabt.c:71: r && errno == EINVAL'));
  t.ok(failure.preamble?.some((l) => /^ {5}\d\t0x[0-9a-f]{16}: /.test(l)), 'backtrace kept');
  t.strictSame(parseFixture('external-aborts-no-ktap').preamble, ['Random seed: 0x1ea510b7']);
});

t.test('KUnit 4-space nesting, three levels', async (t) => {
  const doc = parseFixture('kunit-4-space-nesting');
  t.strictSame(doc.problems, [], 'parameterised tests without a plan are normal KUnit');
  t.strictSame(results(doc.tests), ['pass', 'fail']);
  const example = doc.tests[0]!;
  t.equal(example.name, 'example');
  t.strictSame(results(example.subtests), ['pass', 'skip', 'skip', 'pass']);
  t.ok(example.diagnostics.includes('module: kunit_example_test'), "lines before a suite's plan describe the suite");
  const params = example.subtests[3]!;
  t.strictSame(results(params.subtests), ['skip', 'pass', 'pass', 'skip']);
  t.equal(params.plan, null);
  t.strictSame(params.subtests[0]!.diagnostics, ['example_params_test: initializing', 'example_params_test: cleaning up']);
  t.strictSame(example.totals, { pass: 4, fail: 0, xfail: 0, xpass: 0, skip: 4, error: 0 }, "KUnit's totals line counts the suite");
  t.equal(doc.totals, null);
  const failed = doc.tests[1]!.subtests[1]!;
  t.equal(failed.result, 'fail');
  t.strictSame(failed.diagnostics.slice(1), ['Expected ctx->function_called == 1, but', '    ctx->function_called == 0 (0x0)']);
});

t.test('ktap.rst example: the hierarchy the spec describes', async (t) => {
  const doc = parseFixture('ktap-spec-2-space-nesting');
  t.strictSame(doc.problems, []);
  const main = doc.tests[0]!;
  t.equal(main.name, 'main_test');
  t.equal(main.result, 'fail');
  t.strictSame(
    main.subtests.map((s) => [s.name, s.result, results(s.subtests)]),
    [
      ['example_test_1', 'pass', ['pass']],
      ['example_test_2', 'pass', ['skip', 'pass']],
      ['example_test_3', 'fail', ['pass', 'fail', 'skip']],
    ],
  );
  t.strictSame(main.subtests[0]!.subtests[0]!.diagnostics, ['test_1: initializing test_1']);
  t.strictSame(main.subtests[2]!.subtests[1]!.diagnostics, ['test_2: FAIL']);
  t.equal(main.subtests[1]!.subtests[0]!.reason, 'test_1 skipped');
});

t.test('truncated by a kernel panic: plan 5, two results, console noise', async (t) => {
  const doc = parseFixture('truncated-kernel-panic');
  t.strictSame(doc.plan, { count: 5 });
  t.equal(doc.tests.length, 2);
  t.strictSame(kinds(doc), ['truncated']);
  t.equal(doc.problems[0]!.line, 34, 'reported at the last line');
  t.ok(doc.epilogue?.some((l) => l.includes('Kernel panic - not syncing')));
});

t.test('output cut inside a nested document: the enclosing test still appears', async (t) => {
  const doc = parseFixture('kselftest-runner-truncated-nested');
  const cut = doc.tests[1]!;
  t.equal(cut.result, 'error');
  t.equal(cut.number, null, 'it never got a result line');
  t.equal(cut.name, 'selftests: kvm: get-reg-list', "named after the runner's header line");
  t.strictSame(results(cut.subtests), ['pass', 'pass']);
  t.strictSame(kinds(doc), ['truncated', 'truncated']);

  const kunit = parseFixture('kunit-tab-nesting-printk-timestamps');
  t.equal(kunit.version, 'TAP version 14', 'version found behind a printk timestamp');
  t.strictSame(
    kunit.tests.map((x) => [x.name, x.result, x.subtests.length]),
    [
      ['kvm-arm64-esr', 'pass', 2],
      ['kvm-arm64-inject', 'error', 1],
    ],
    'tab nesting',
  );
  t.ok(kunit.tests[1]!.diagnostics.includes('Kernel panic - not syncing: Oops: Fatal exception'));
});

t.test('runner TIMEOUT with console noise', async (t) => {
  const doc = parseFixture('runner-timeout-console-noise');
  t.strictSame(doc.problems, [], 'printk lines are not problems');
  const sea = doc.tests[2]!;
  t.equal(sea.result, 'timeout');
  t.equal(sea.reason, '120 seconds');
  t.ok(sea.diagnostics.some((d) => d.startsWith('[  201.337511] rcu: INFO: rcu_preempt detected stalls')));
  t.ok(sea.diagnostics.includes('[  302.118230] INFO: task sea_to_user:231 blocked for more than 120 seconds.'));
});

t.test('directives in any letter case, on ok and not ok', async (t) => {
  const doc = parseFixture('directives-mixed-case');
  t.strictSame(results(doc.tests), ['pass', 'fail', 'skip', 'skip', 'xfail', 'xpass', 'timeout', 'error', 'todo', 'pass', 'pass']);
  t.strictSame(
    doc.tests.map((x) => x.reason),
    [null, null, 'not on this CPU', 'no EINJ', 'known broken on TCG', null, '30 seconds', 'Failed to open /dev/kvm', 'fix in v3', null, null],
  );
  t.equal(doc.tests[9]!.name, 'with dash', '`- ` before the description is not part of it');
  t.strictSame(doc.tests[9]!.diagnostics, ['rcode=0'], 'data after # that is no directive is kept');
  t.strictSame(doc.problems, []);
});

t.test('plans: at the end, skip-all, duplicate, numbering', async (t) => {
  const atEnd = parseFixture('plan-at-end');
  t.strictSame(atEnd.plan, { count: 3 });
  t.strictSame(atEnd.problems, []);
  t.equal(atEnd.tests[2]!.result, 'todo');

  const skipAll = parseFixture('skip-all-plan');
  t.strictSame(skipAll.plan, { count: 0, skipReason: '- Requirement not met: kvm_has_cap(KVM_CAP_ARM_SEA_TO_USER)' });
  t.strictSame(skipAll.tests, []);
  t.strictSame(skipAll.problems, []);

  const numbering = parseFixture('kselftest-numbering-problems');
  t.strictSame(kinds(numbering).sort(), ['duplicate-plan', 'numbering', 'plan-mismatch', 'unreadable-result']);
  t.strictSame(
    numbering.tests.map((x) => x.number),
    [1, 3, 4],
  );
});

t.test('CRLF and TAP 14 YAML blocks', async (t) => {
  const crlf = parseFixture('crlf');
  t.notMatch(JSON.stringify(crlf), /\\r/, 'no carriage return survives');
  t.strictSame(results(crlf.tests), ['pass', 'skip', 'fail']);
  t.equal(crlf.tests[1]!.reason, '32-bit EL1 not supported');

  const yaml = parseFixture('tap14-yaml-diagnostics');
  t.strictSame(yaml.problems, []);
  t.equal(yaml.tests[0]!.name, 'parse fixtures');
  const failed = yaml.tests[0]!.subtests[1]!;
  t.equal(failed.result, 'fail');
  t.ok(failed.diagnostics.includes('diff: |'), 'YAML kept as diagnostics of the result above it');
  t.ok(failed.diagnostics.includes('  --- expected'), 'a `---` inside YAML does not start anything');
  t.strictSame(yaml.tests[0]!.diagnostics, ['time=12.5ms', 'duration_ms: 12.5']);
});

t.test('glued results: split only where a result can start', async (t) => {
  const one = (text: string) => parseKtap(`1..1\n${text}\n`).tests;
  t.strictSame(
    one('ok 1 retry ok 2 times').map((x) => x.name),
    ['retry ok 2 times'],
    'a blank before "ok 2" and no " # " after it: ordinary text',
  );
  t.strictSame(
    one('ok 1 okapi ok').map((x) => x.name),
    ['okapi ok'],
  );
  t.strictSame(
    one('ok 1 # SKIP aok 3 b').map((x) => x.reason),
    ['aok 3 b'],
    'only the next number splits',
  );
  t.strictSame(
    one('ok 1 foo ok 2 # SKIP bar').map((x) => [x.number, x.name, x.result]),
    [
      [1, 'foo', 'pass'],
      [2, '', 'skip'],
    ],
    '"ok 2 # " is result-shaped even after a blank',
  );
  t.strictSame(
    one('not ok 1 xnot ok 2 y').map((x) => [x.number, x.name, x.result]),
    [
      [1, 'x', 'fail'],
      [2, 'y', 'fail'],
    ],
  );
  const diagGlued = parseKtap('1..2\nok 1 a\n# waiting for guestok 2 b\n');
  t.strictSame(
    diagGlued.tests.map((x) => [x.name, x.diagnostics]),
    [
      ['a', []],
      ['b', ['waiting for guest']],
    ],
    'a message printed without newline before a result',
  );
  const bail = parseKtap('1..2\nok 1 a\n# giving upBail out! no /dev/kvm\n');
  t.equal(bail.bailout, 'no /dev/kvm');
  t.strictSame(bail.epilogue, ['giving up']);
  const bailFirst = parseKtap('Bail out! Failed to open /dev/kvm\n');
  t.equal(bailFirst.bailout, 'Failed to open /dev/kvm');
  t.strictSame(bailFirst.tests, []);
});

t.test('nesting edge cases', async (t) => {
  const deep = parseKtap(
    [
      'TAP version 13',
      '1..1',
      '# selftests: kvm: outer',
      '# TAP version 13',
      '# 1..1',
      '# # TAP version 13',
      '# # 1..1',
      '# # ok 1 inner',
      '# ok 1 middle',
      'ok 1 outer',
    ].join('\n'),
  );
  t.equal(deep.tests[0]!.subtests[0]!.subtests[0]!.name, 'inner', 'runner prefixes nest to any depth');
  t.strictSame(deep.problems, []);

  const nodeTap = parseKtap(
    ['TAP version 14', '# Subtest: outer', '    # Subtest: inner', '        1..1', '        ok 1 - leaf', '    ok 1 - inner', '    1..1', 'ok 1 - outer', '1..1'].join('\n'),
  );
  t.equal(nodeTap.tests[0]!.name, 'outer');
  t.equal(nodeTap.tests[0]!.subtests[0]!.name, 'inner', 'TAP 14 headers at the parent level name the next subtest');
  t.equal(nodeTap.tests[0]!.subtests[0]!.subtests[0]!.name, 'leaf');
  t.strictSame(nodeTap.problems, []);

  const unnamed = parseKtap(['1..1', '  1..1', '  ok 1 leaf', 'ok 1'].join('\n'));
  t.equal(unnamed.tests[0]!.name, '', 'no description and no header: empty name');
  t.equal(unnamed.tests[0]!.subtests[0]!.name, 'leaf');

  const excerpt = parseKtap(['    TAP version 13', '    1..1', '    ok 1 indented as a whole'].join('\n'));
  t.equal(excerpt.version, 'TAP version 13', 'an excerpt indented as a whole is not nested');
  t.equal(excerpt.tests[0]!.name, 'indented as a whole');

  const noise = parseKtap(['KTAP version 1', '1..1', '  KTAP version 1', '  1..1', 'random console noise', '  ok 1 a', 'ok 1 b'].join('\n'));
  t.strictSame(
    noise.tests[0]!.subtests.map((x) => x.name),
    ['a'],
    'an unindented unknown line does not close the nested document',
  );
  t.ok(noise.tests[0]!.diagnostics.includes('random console noise'));
});

t.test('malformed input is data, never an exception', async (t) => {
  t.strictSame(parseKtap(''), {
    schema: 'sea-harness/ktap@1',
    version: null,
    plan: null,
    tests: [],
    bailout: null,
    totals: null,
    problems: [],
    preamble: [],
    epilogue: [],
  });
  const huge = parseKtap('1..1\nok 123456789012345678901234567890 too big\n');
  t.ok(kinds(huge).includes('unreadable-result'));
  // Random lines from the grammar's pieces, in random order and nesting.
  const pieces = ['ok', 'not ok', '1..', 'TAP version 13', 'KTAP version 1', '# ', '  ', '    ', '\t', 'Bail out!', '# Subtest: x', '---', '...', ' # SKIP', ' # TODO', '7', '2', 'ok 2', '\r', '[  1.000000] ', '# Totals: pass:1'];
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const thrown: string[] = [];
  for (let i = 0; i < 500; i++) {
    const lines: string[] = [];
    for (let l = rand(30); l > 0; l--) {
      let line = '';
      for (let p = rand(6); p > 0; p--) line += pieces[rand(pieces.length)];
      lines.push(line);
    }
    const text = lines.join('\n');
    try {
      const doc = parseKtap(text);
      if (!Array.isArray(doc.tests) || !Array.isArray(doc.problems)) thrown.push(`bad document for ${JSON.stringify(text)}`);
    } catch (e) {
      thrown.push(`${JSON.stringify(text)}: ${String(e)}`);
    }
  }
  t.strictSame(thrown, [], '500 random documents parse without throwing');
});

t.test('pathological lines: 400,000 characters of padding parse as 40 do (no clock: quadratic work here would run for minutes and overrun the file timeout)', async (t) => {
  const lines = (pad: number) => [
    `ok 1 ${'ok '.repeat(pad)}`,
    `1..${'1'.repeat(pad)} ${' '.repeat(pad)}x`,
    `${' '.repeat(pad)}x`,
    `${'# '.repeat(pad)}ok 1`,
    `ok 1 ${'#'.repeat(pad)}`,
    `TAP version 13${' '.repeat(pad)}x`,
    `[${' '.repeat(pad)}1.5`,
  ];
  const shape = (line: string) => {
    const doc = parseKtap(`${line}\n`.repeat(5));
    return { tests: doc.tests.map((x) => [x.number, x.result]), problems: doc.problems.map((p) => p.kind), plan: doc.plan, version: doc.version };
  };
  const long = lines(400_000);
  const short = lines(40);
  long.forEach((line, i) => t.same(shape(line), shape(short[i]!), `${JSON.stringify(line.slice(0, 12))}...`));
  t.equal(parseKtap(`${long[0]}\n`).tests[0]?.name.length, 'ok '.length * 400_000 - 1, 'a long name is kept whole');
});
