// kunit_tool's own fixtures (tools/testing/kunit/test_data/*.log of the downloaded kernel source) through the parser and
// `parse`: each against what kunit_tool_test.py expects of it (status, counts, names). Where the readings differ on
// purpose, the expectation names the ktap.rst rule (Documentation/dev-tools/ktap.rst, same tree) that decides.
// The fixtures are read from the Debian import commit of the harness's default kernel workspace, never copied here.
import t, { type Test } from 'tap';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { documentOutcome } from '../ktap/failures.js';
import { parseKtap } from '../ktap/parse.js';
import type { KtapDocument, KtapTest } from '../model/ktap.js';
import { countOutcomes, flattenTests } from '../report/outcome.js';
import { runCli } from '../test-support/cli.js';
import { E2E_TIMEOUT_MS } from '../test-support/timeouts.js';
import { defaultCacheDir } from '../util/context.js';

t.setTimeout(E2E_TIMEOUT_MS['09-kunit-fixtures']);

const TEST_DATA = 'tools/testing/kunit/test_data';

/** The workspace repository and the Debian import commit (refs/sea/debian/..., kernel/debian-source.ts) that hold the fixtures. */
async function kernelSource(): Promise<{ repo: string; ref: string } | string> {
  const root = join(defaultCacheDir(), 'workspaces');
  const dirs = existsSync(root) ? readdirSync(root).filter((d) => d.endsWith('-default')) : [];
  for (const d of dirs) {
    const repo = join(root, d, 'src');
    if (!existsSync(join(repo, '.git'))) continue;
    const refs = await execa('git', ['-C', repo, 'for-each-ref', '--format=%(refname)', 'refs/sea/debian/'], { reject: false });
    for (const ref of String(refs.stdout).split('\n').filter(Boolean).sort().reverse()) {
      const has = await execa('git', ['-C', repo, 'cat-file', '-e', `${ref}:${TEST_DATA}/test_is_test_passed-failure-nested.log`], { reject: false });
      if (has.exitCode === 0) return { repo, ref };
    }
  }
  return `no kernel source with ${TEST_DATA} in ${root}/*-default/src (refs/sea/debian/*): run \`make test-kernels\` first, which downloads and imports it`;
}

const source = await kernelSource();
if (typeof source === 'string') {
  // Never skipped: without the source this file fails, saying how to get it.
  t.fail(source);
} else {
  const show = async (path: string) => String((await execa('git', ['-C', source.repo, 'show', `${source.ref}:${path}`], { stripFinalNewline: false })).stdout);
  const names = String((await execa('git', ['-C', source.repo, 'ls-tree', '--name-only', `${source.ref}:${TEST_DATA}`])).stdout)
    .split('\n')
    .filter((n) => n.endsWith('.log'));
  const kunitTest = await show('tools/testing/kunit/kunit_tool_test.py');
  const ktapRst = await show('Documentation/dev-tools/ktap.rst');
  const docs = new Map<string, KtapDocument>();
  for (const n of names) docs.set(n, parseKtap(await show(`${TEST_DATA}/${n}`)));
  const doc = (n: string) => docs.get(n)!;

  /** kunit_tool's counts: leaf tests (and failed parents none of whose subtests failed) by outcome. */
  const counts = (d: KtapDocument) => {
    const c = countOutcomes(flattenTests(d.tests));
    return { passed: c.pass, failed: c.fail, crashed: c.error, skipped: c.skip };
  };
  const outcome = (n: string) => documentOutcome(doc(n)).kind;
  const at = (n: string, ...path: number[]): KtapTest => path.slice(1).reduce((x, i) => x.subtests[i]!, doc(n).tests[path[0]!]!);
  /** A difference on purpose: the ktap.rst text that decides it must be in the tree's ktap.rst. */
  const rule = (t: Test, text: string) => t.ok(ktapRst.replace(/\s+/g, ' ').includes(text), `ktap.rst: "${text}"`);

  t.test('the fixtures are there, and kunit_tool_test.py still expects what this file mirrors', async (t) => {
    t.ok(names.length >= 20, `${names.length} fixtures in ${source.ref}`);
    for (const line of [
      "self.assertEqual(result.counts, kunit_parser.TestCounts(passed=10, errors=0))",
      "self.assertEqual(result.counts.failed, 2)",
      "self.assertEqual(result.counts, kunit_parser.TestCounts(passed=4, skipped=1))",
      "self.assertEqual(result.counts, kunit_parser.TestCounts(skipped=5))",
      "self.assertEqual(result.counts, kunit_parser.TestCounts(passed=3))",
      "self.assertEqual(result.counts, kunit_parser.TestCounts(passed=1, errors=1))",
      "self.assertEqual(kunit_parser.TestStatus.NO_TESTS, result.status)",
      "self.assertEqual(kunit_parser.TestStatus.TEST_CRASHED, result.status)",
    ]) {
      t.ok(kunitTest.includes(line), line);
    }
  });

  t.test('passing logs: SUCCESS, no errors', async (t) => {
    for (const n of ['test_is_test_passed-all_passed.log', 'test_is_test_passed-all_passed_nested.log', 'test_is_test_passed-kselftest.log', 'test_parse_attributes.log', 'test_strip_hyphen.log']) {
      t.equal(outcome(n), 'ok', n);
      t.strictSame(doc(n).problems, [], `${n}: errors 0`);
    }
    t.strictSame([at('test_strip_hyphen.log', 0).name, at('test_strip_hyphen.log', 1).name], ['sysctl_test', 'example'], 'a hyphen before the name is no part of it');
    t.strictSame([at('test_is_test_passed-all_passed_nested.log', 0, 1, 0).name, at('test_is_test_passed-all_passed_nested.log', 0, 1, 0).result], ['example_simple_test', 'pass'], 'nested JSON: sub_groups[0].sub_groups[0].test_cases[0]');
  });

  t.test('prefixed and interrupted console output: SUCCESS, kunit-resource-test first', async (t) => {
    for (const n of ['test_config_printk_time.log', 'test_multiple_prefixes.log', 'test_interrupted_tap_output.log', 'test_pound_sign.log', 'test_pound_no_prefix.log']) {
      t.equal(outcome(n), 'ok', n);
      t.equal(doc(n).tests[0]?.name, 'kunit-resource-test', `${n}: subtests[0].name`);
      t.strictSame(doc(n).problems, [], `${n}: errors 0`);
      t.strictSame(counts(doc(n)), { passed: 10, failed: 0, crashed: 0, skipped: 0 }, `${n}: every case read`);
    }
    const pound = doc('test_pound_sign.log');
    // An unknown line (not indented as the subtest's lines) belongs to the next result at the top: ktap.rst "Unknown lines".
    t.ok(pound.tests[0]!.diagnostics.includes(' foo bar \t#'), 'non-KUnit output kept whole, as extract_tap_lines keeps it');
    t.ok(pound.tests[1]!.diagnostics.includes(' foo bar \t# non-kunit output'));
  });

  t.test('test_is_test_passed-failure-nested.log: results indented two levels belong to the innermost subtest', async (t) => {
    const n = 'test_is_test_passed-failure-nested.log';
    t.equal(outcome(n), 'failed', 'FAILURE');
    t.equal(counts(doc(n)).failed, 2, 'counts.failed == 2');
    t.strictSame(
      [at(n, 0).result, at(n, 0, 0).result, at(n, 1).result, at(n, 1, 0).result],
      ['fail', 'pass', 'fail', 'fail'],
      'subtests[0] FAILURE, [0][0] SUCCESS, [1] FAILURE, [1][0] FAILURE',
    );
    t.strictSame(doc(n).problems, [], 'no made-up error test');
    rule(t, 'Note that, in KTAP, subtests also begin with a version line');
  });

  t.test('failures and skips: status, counts, reasons', async (t) => {
    const failure = 'test_is_test_passed-failure.log';
    t.equal(outcome(failure), 'failed');
    t.strictSame(doc(failure).problems, [], 'errors 0');
    t.strictSame([at(failure, 1, 0).name, at(failure, 1, 0).result], ['example_simple_test', 'fail'], 'JSON sub_groups[1].test_cases[0]: FAIL');
    const skip = 'test_skip_tests.log';
    t.equal(outcome(skip), 'ok', 'a skipped test does not fail the suite');
    t.strictSame([at(skip, 1, 1).result, at(skip, 1, 1).reason, at(skip, 1, 1).name], ['skip', 'this test should be skipped', 'example_skip_test']);
    t.strictSame(counts(doc(skip)), { passed: 4, failed: 0, crashed: 0, skipped: 1 });
    const all = 'test_skip_all_tests.log';
    t.equal(outcome(all), 'ok', 'SKIPPED is no failure');
    t.strictSame([at(all, 0).result, at(all, 0, 0).result, at(all, 0, 0).reason], ['skip', 'skip', 'all tests skipped']);
    t.strictSame(counts(doc(all)), { passed: 0, failed: 0, crashed: 0, skipped: 5 });
    const ktap = 'test_parse_ktap_output.log';
    t.strictSame(counts(doc(ktap)), { passed: 3, failed: 0, crashed: 0, skipped: 0 });
    t.strictSame([at(ktap, 0).name, at(ktap, 0, 0).name, at(ktap, 0, 1).name], ['suite', 'case_1', 'case_2']);
    const header = 'test_parse_subtest_header.log';
    t.strictSame([at(header, 0).name, at(header, 0).subtests.length], ['suite', 1], "'suite (1 subtest)'");
    const attrs = 'test_parse_attributes.log';
    t.strictSame(counts(doc(attrs)), { passed: 1, failed: 0, crashed: 0, skipped: 0 });
    t.ok(at(attrs, 0).diagnostics.includes('module: example'), "'# module: example' in the suite's log");
    t.ok(at(attrs, 0, 0).diagnostics.includes('test.speed: slow'), "'# test.speed: slow' in the test's log");
  });

  t.test('no KTAP at all: FAILURE_TO_PARSE_TESTS, "Could not find any KTAP output"', async (t) => {
    for (const n of ['test_is_test_passed-no_tests_run_no_header.log', 'test_insufficient_memory.log']) {
      t.equal(outcome(n), 'no-ktap', n);
      t.strictSame(doc(n).tests, [], `${n}: 0 subtests`);
    }
  });

  t.test('differences on purpose, each decided by ktap.rst', async (t) => {
    // kunit_tool: no error for a missing plan, SUCCESS. Here: SUCCESS too, and the missing plan is recorded as data.
    const missing = 'test_is_test_passed-missing_plan.log';
    t.equal(outcome(missing), 'ok', 'SUCCESS');
    t.strictSame(counts(doc(missing)), { passed: 10, failed: 0, crashed: 0, skipped: 0 }, 'passed=10');
    t.strictSame(doc(missing).problems.map((p) => p.kind), ['no-plan'], 'recorded, as the spec recommends a plan');
    rule(t, 'in which case the test plan may be omitted -- it is strongly recommended one is present where possible');

    // kunit_tool: NO_TESTS, an error, exit 1. Here: a plan of zero tests is KTAP in which nothing failed.
    const zero = 'test_is_test_passed-no_tests_run_with_header.log';
    t.strictSame([doc(zero).tests.length, doc(zero).plan?.count, outcome(zero)], [0, 0, 'ok']);
    rule(t, 'Plan lines must follow the format of "1..N" where N is the number of tests or subtests.');

    // kunit_tool: the `# Subtest: case` header without results is NO_TESTS, an error. Here: `ok 1 - case` is its result.
    const noPlan = 'test_is_test_passed-no_tests_no_plan.log';
    t.strictSame([at(noPlan, 0, 0).name, at(noPlan, 0, 0).subtests.length, at(noPlan, 0, 0).result], ['case', 0, 'pass'], 'subtests[0].subtests[0]: no subtests');
    t.equal(counts(doc(noPlan)).passed, 1, 'passed=1');
    rule(t, 'Test case result lines indicate the final status of a test.');

    // kunit_tool: TEST_CRASHED, with a made-up crashed case (sub_groups[2].test_cases[1], name ''). Here: the suite
    // without its result line is the 'error' test, and only the case that printed a result is listed.
    const panic = 'test_kernel_panic_interrupt.log';
    t.equal(outcome(panic), 'failed', 'TEST_CRASHED is a failure');
    t.equal(at(panic, 0).name, 'kunit-resource-test');
    t.strictSame([at(panic, 2).name, at(panic, 2).result, at(panic, 2).subtests.map((s) => s.name)], ['string-stream-test', 'error', ['string_stream_test_empty_on_creation']]);
    t.ok(doc(panic).problems.some((p) => p.kind === 'truncated'), 'errors >= 1');
    rule(t, 'Test case result lines indicate the final status of a test.');
  });

  t.test('`parse` on each fixture: exit 0 or 1 as the reading says, never 3', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sea-e2e-kunit-'));
    for (const n of names) {
      const file = join(dir, n);
      writeFileSync(file, await show(`${TEST_DATA}/${n}`));
      const r = await runCli(['parse', file, '--format', 'json']);
      t.equal(r.exitCode, outcome(n) === 'ok' ? 0 : 1, `${n}: ${outcome(n)}`);
      t.same(JSON.parse(r.stdout), JSON.parse(JSON.stringify(doc(n))), `${n}: the same document`);
    }
  });
}
