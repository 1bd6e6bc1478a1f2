// Reporter tests: JUnit validated as XML, TAP read back by node-tap's tap-parser, Markdown tables, human output without colour.
import { readFileSync } from 'node:fs';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import t from 'tap';
import { Parser, type FinalResults } from 'tap-parser';
import { parseKtap } from '../ktap/parse.js';
import type { KtapDocument } from '../model/ktap.js';
import type { CaseResult, RunResult } from '../model/result.js';
import { OUTPUT_FORMATS, renderKtap, renderRun } from './index.js';

const FIXTURES = new URL('../ktap/fixtures/', import.meta.url);

function fixture(name: string): KtapDocument {
  return parseKtap(readFileSync(new URL(`${name}.txt`, FIXTURES), 'utf8'));
}

function kase(over: Partial<CaseResult> & Pick<CaseResult, 'name' | 'verdict' | 'expected' | 'met'>): CaseResult {
  return { expectedReason: null, reason: null, exitCode: 0, durationMs: 1000, warnings: [], ktap: null, ...over };
}

const EINJ = 'EINJ table no available in firmware';

/** A run with one case of each kind the brief names: pass, fail, skip, crash, absent. */
const run: RunResult = {
  schema: 'sea-harness/run@1',
  verdict: 'fail',
  kernel: {
    source: 'debian:linux-source-7.3',
    release: '7.3.4',
    commit: null,
    tree: '4b825dc642cb6eb9a060e54bf8d69288fbee4904',
    series: [{ patch: 1, subject: 'KVM: arm64: selftests: Add test for injecting IABT', messageId: null, applied: true }],
  },
  provenance: { harness: '0.1.0', gcc: '12.2.0', binutils: '2.40', qemu: '10.0.2', firmware: 'qemu-efi-aarch64 2024.11-5', debianSource: 'linux-source-7.3 7.3.4-1~bpo13+1' },
  guest: { profile: 'virt-ras-nested', accel: 'tcg', qemu: '10.0.2', environment: { kvmMode: 'vhe' } },
  cases: [
    kase({ name: 'external_aborts', verdict: 'pass', expected: 'pass', met: true, durationMs: 1100, ktap: fixture('external-aborts-no-ktap') }),
    kase({
      name: 'inject_iabt',
      verdict: 'fail',
      expected: 'pass',
      met: false,
      reason: 'arm64/inject_iabt.c:71: r && errno == EINVAL',
      exitCode: 254,
      durationMs: 1234,
      besideAttempt: { verdict: 'fail', reason: 'arm64/inject_iabt.c:71: r && errno == EINVAL', ranBeside: ['sea_to_user'] },
      warnings: [{ kind: 'warning', line: 'WARNING: CPU: 1 PID: 243 at arch/arm64/kvm/inject_fault.c:171 kvm_inject_iabt+0x4c/0x60 <&"\u001b[0m>' }],
      ktap: fixture('kvm-assertion-failure'),
    }),
    kase({
      name: 'sea_to_user',
      verdict: 'skip',
      expected: 'skip',
      expectedReason: EINJ,
      met: true,
      reason: EINJ,
      exitCode: 1,
      durationMs: 3600,
      ranBeside: ['inject_iabt', 'external_aborts'],
      notes: ['QEMU provides no ACPI EINJ table: on QEMU this test can only skip'],
      ktap: fixture('sea-to-user-no-einj-skip-bailout'),
    }),
    kase({
      name: 'set_id_regs',
      verdict: 'crash',
      expected: 'pass',
      met: false,
      reason: 'Kernel panic - not syncing: synchronous external abort: Fatal exception',
      exitCode: null,
      durationMs: 92_000,
      ktap: fixture('truncated-kernel-panic'),
    }),
    kase({ name: 'mmio_abort', verdict: 'absent', expected: 'pass', met: true, reason: 'arm64/mmio_abort is not in this kernel tree', exitCode: null, durationMs: 0 }),
  ],
  timings: { kernelBuildMs: 930_000, selftestsBuildMs: 5000, imageMs: 1000, bootMs: 3200, runMs: 99_000, totalMs: 1_038_200 },
};

interface TapCounts {
  readonly result: FinalResults;
  readonly children: { name: string; result: FinalResults }[];
  readonly parseErrors: unknown[];
}

/** Read TAP with node-tap's own parser, as a TAP consumer would. */
function readTap(text: string): Promise<TapCounts> {
  return new Promise((resolve) => {
    const parser = new Parser();
    const children: { name: string; result: FinalResults }[] = [];
    const parseErrors: unknown[] = [];
    parser.on('child', (c: Parser) => c.on('complete', (r: FinalResults) => children.push({ name: c.name, result: r })));
    parser.on('extra', (e: unknown) => parseErrors.push(e));
    parser.on('complete', (result: FinalResults) => resolve({ result, children, parseErrors }));
    parser.end(text);
  });
}

type Xml = Record<string, unknown>;

function parseXml(xml: string): Xml {
  return new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) }).parse(xml) as Xml;
}

function suitesOf(xml: string): Xml[] {
  return ((parseXml(xml).testsuites as Xml).testsuite as Xml[]) ?? [];
}

t.test('JUnit of a run: valid XML, one suite per case, right counts', async (t) => {
  const xml = renderRun(run, 'junit', { color: false });
  t.equal(XMLValidator.validate(xml), true, 'validates as XML');
  const root = parseXml(xml).testsuites as Xml;
  t.strictSame([root['@tests'], root['@failures'], root['@errors'], root['@skipped']], ['8', '2', '0', '3']);
  t.equal(root['@time'], '1038.200', 'time in seconds');
  const suites = suitesOf(xml);
  t.strictSame(
    suites.map((s) => [s['@name'], s['@tests'], s['@failures'], s['@skipped']]),
    [
      ['external_aborts', '1', '0', '0'],
      ['inject_iabt', '1', '1', '0'],
      ['sea_to_user', '2', '0', '2'],
      ['set_id_regs', '3', '1', '0'],
      ['mmio_abort', '1', '0', '1'],
    ],
  );
  const iabt = (suites[1]!.testcase as Xml[])[0]!;
  t.equal(iabt['@time'], '1.234');
  const failure = iabt.failure as Xml;
  t.match(failure['@message'], /fail: arm64\/inject_iabt\.c:71: r && errno == EINVAL; expected pass/);
  t.match(failure['#text'], /==== Test Assertion Failure ====/, 'KTAP output in the failure body');
  t.match(xml, /\\x1b\[0m/, 'an escape character is written as visible text');
  t.notMatch(xml, /\u001b/, 'no raw control character');
  const sea = suites[2]!.testcase as Xml[];
  t.strictSame(
    sea.map((c) => (c.skipped as Xml)['@message']),
    [`skip: ${EINJ}`, 'skip: EINJ module probably not loaded?'],
  );
  const crash = (suites[3]!.testcase as Xml[])[2]!;
  t.equal(crash['@name'], 'set_id_regs', 'a crash after passing subtests gets its own failing testcase');
  t.match((crash.failure as Xml)['@message'], /^crash: Kernel panic/);
});

t.test('JUnit of a parsed fixture with failures and skips', async (t) => {
  const xml = renderKtap(fixture('kselftest-runner-wrapped'), 'junit', { color: false, name: 'kselftest-runner-wrapped' });
  t.equal(XMLValidator.validate(xml), true);
  const suites = suitesOf(xml);
  t.equal(suites.length, 1, 'one testsuite for a parsed file');
  const s = suites[0]!;
  t.equal(s['@name'], 'kselftest-runner-wrapped', 'named by opts.name');
  t.strictSame([s['@tests'], s['@failures'], s['@errors'], s['@skipped']], ['9', '2', '0', '4']);
  const names = (s.testcase as Xml[]).map((c) => c['@name']);
  t.ok(names.includes('selftests: kvm: get-reg-list / sve'), 'subtests named by their path');
  const iabt = (s.testcase as Xml[]).find((c) => c['@name'] === 'selftests: kvm: inject_iabt')!;
  t.equal((iabt.failure as Xml)['@message'], 'fail: exit code 254');

  const panic = renderKtap(fixture('truncated-kernel-panic'), 'junit', { color: false, name: 'panic' });
  t.equal(XMLValidator.validate(panic), true);
  t.match(panic, /<error message="3 of 5 planned tests have no result"/, 'missing tests are not silently green');
  for (const name of ['sea-to-user-no-einj-skip-bailout', 'skip-all-plan', 'crlf', 'kunit-4-space-nesting']) {
    t.equal(XMLValidator.validate(renderKtap(fixture(name), 'junit', { color: false, name })), true, name);
  }
});

t.test('TAP of a run is read by tap-parser with the right counts', async (t) => {
  const tap = renderRun(run, 'tap', { color: false });
  t.match(tap, /^TAP version 14\n1\.\.5\n/);
  const { result, children, parseErrors } = await readTap(tap);
  t.strictSame(parseErrors, [], 'no lines tap-parser could not read');
  t.equal(result.count, 5);
  t.equal(result.fail, 2, 'fail and crash are not ok');
  t.equal(result.skip, 2, 'skip and absent are ok # SKIP');
  t.equal(result.pass, 3, 'tap-parser counts skipped points as passing');
  t.equal(result.bailout, false, "sea_to_user's own bail-out does not end the run's stream");
  t.strictSame(result.failures.map((f) => f.name), ['inject_iabt', 'set_id_regs']);
  t.ok(result.failures.every((f) => f.tapError === null || f.tapError === undefined), 'no TAP format errors');
  t.match(tap, /ok 5 - mmio_abort # SKIP absent arm64\/mmio_abort/);
  t.strictSame(
    children.map((c) => [c.name, c.result.count, c.result.skip, c.result.fail]),
    [
      ['sea_to_user', 2, 2, 0],
      ['set_id_regs', 2, 0, 0],
    ],
    'subtests as TAP 14 subtests',
  );
});

t.test('TAP: an unmet expectation is not ok whatever the verdict; a met failure is TODO', async (t) => {
  const other: RunResult = {
    ...run,
    cases: [
      kase({ name: 'sea_to_user', verdict: 'skip', expected: 'skip', expectedReason: EINJ, met: false, reason: '- Requirement not met: kvm_has_cap(KVM_CAP_ARM_SEA_TO_USER)', ktap: fixture('skip-all-plan') }),
      kase({ name: 'inject_iabt', verdict: 'pass', expected: 'skip', met: false }),
      kase({ name: 'external_aborts', verdict: 'fail', expected: 'fail', met: true, reason: 'known: TCG does not route SEA to EL2' }),
    ],
  };
  const tap = renderRun(other, 'tap', { color: false });
  const { result, parseErrors } = await readTap(tap);
  t.strictSame(parseErrors, []);
  t.equal(result.fail, 3, 'tap-parser counts TODO points in fail');
  t.equal(result.todo, 1);
  t.strictSame(result.failures.map((f) => f.name), ['sea_to_user', 'inject_iabt']);
  t.equal(result.ok, false);
  t.match(tap, /message: "skip: - Requirement not met: kvm_has_cap\(KVM_CAP_ARM_SEA_TO_USER\); expected skip \(EINJ table no available in firmware\)"/);
  t.equal(XMLValidator.validate(renderRun(other, 'junit', { color: false })), true);
});

t.test('TAP of parsed fixtures is read back by tap-parser', async (t) => {
  const expectations: [string, { count: number; fail: number; skip: number; bailout: string | false; todo?: number }][] = [
    ['sea-to-user-no-einj-skip-bailout', { count: 2, fail: 0, skip: 2, bailout: 'Failed to write EINJ entry: No such file or directory (2)' }],
    ['kselftest-runner-wrapped', { count: 4, fail: 2, skip: 0, bailout: false }],
    // XPASS is a pass (kselftest's ksft_finished()), so one not ok fewer than the six failing-looking lines.
    ['directives-mixed-case', { count: 11, fail: 5, skip: 2, bailout: false, todo: 2 }],
    ['skip-all-plan', { count: 0, fail: 0, skip: 0, bailout: false }],
    ['kunit-4-space-nesting', { count: 2, fail: 1, skip: 0, bailout: false }],
    ['tap14-yaml-diagnostics', { count: 2, fail: 1, skip: 1, bailout: false }],
  ];
  for (const [name, want] of expectations) {
    const tap = renderKtap(fixture(name), 'tap', { color: false });
    const { result, parseErrors } = await readTap(tap);
    t.strictSame(parseErrors, [], `${name}: nothing unreadable`);
    t.strictSame(
      { count: result.count, fail: result.fail, skip: result.skip, bailout: result.bailout, ...(want.todo === undefined ? {} : { todo: result.todo }) },
      want,
      name,
    );
    t.notOk(result.failures.some((f) => f.tapError), `${name}: no TAP errors (plan, numbering)`);
  }
  const cut = await readTap(renderKtap(fixture('truncated-kernel-panic'), 'tap', { color: false }));
  t.equal(cut.result.count, 2);
  t.equal(cut.result.ok, false, 'output cut by a panic does not read as a pass');
  t.strictSame(cut.result.plan.end, 5, 'the plan of 5 is kept');
  const skipAll = renderKtap(fixture('skip-all-plan'), 'tap', { color: false });
  t.match(skipAll, /^1\.\.0 # SKIP - Requirement not met/m, 'skip-all plan kept');
});

t.test('Markdown: a table per run and details for what did not pass', async (t) => {
  const md = renderRun(run, 'markdown', { color: false });
  t.match(md, /^## sea-harness: FAIL: 2 of 5 cases did not meet their expectations/);
  t.match(md, /\| case \| verdict \| expected \| reason \| time \|\n\| --- \| --- \| --- \| --- \| --- \|\n/);
  t.match(md, /\| inject_iabt \| \*\*fail\*\* \(not met\) \| pass \| arm64\/inject_iabt\.c:71: r && errno == EINVAL \| 1\.2 s \|/);
  t.match(md, /\| sea_to_user \| skip \| skip \(EINJ table no available in firmware\) \| EINJ table no available in firmware \| 3\.6 s \|/);
  t.match(md, /### inject_iabt: fail, expected pass \(not met\)/);
  t.match(md, /- kernel warning: `WARNING: CPU: 1 PID: 243/);
  t.match(md, /- note: QEMU provides no ACPI EINJ table/);
  t.match(md, /- beside sea_to_user it gave fail \(arm64\/inject_iabt\.c:71: r && errno == EINVAL\); this verdict is from a re-run alone/);
  t.match(md, /- ran beside inject_iabt, external_aborts in the same L1/);
  t.match(md, /```text\n[^`]*==== Test Assertion Failure ====/);
  t.notMatch(md, /### external_aborts/, 'passing cases have no details');
  const doc = renderKtap(fixture('kselftest-runner-wrapped'), 'markdown', { color: false, name: 'runner' });
  t.match(doc, /\| 3\.1 \| test 1 \| skip \| EINJ table no available in firmware \|/);
  t.match(renderKtap(parseKtap('1..1\nok 1 a|b # SKIP x|y\n'), 'markdown', { color: false }), /\| 1 \| a\\\|b \| skip \| x\\\|y \|/, '| escaped in cells');
});

t.test('human: no ANSI without colour, one line per case at the end', async (t) => {
  const plain = renderRun(run, 'human', { color: false });
  t.notMatch(plain, /\u001b\[/, 'no escape sequences when color is false');
  const lines = plain.trimEnd().split('\n');
  const last = lines.slice(-run.cases.length);
  t.strictSame(
    last.map((l) => l.split(/\s+/).slice(0, 2)),
    run.cases.map((c) => [c.verdict, c.name]),
    'ends with one line per case',
  );
  t.match(last[1]!, /fail\s+inject_iabt\s+expected pass NOT MET\s+1\.2 s {2}arm64\/inject_iabt\.c:71/);
  t.match(last[2]!, /skip\s+sea_to_user\s+expected skip\s+3\.6 s {2}EINJ table no available in firmware/);
  t.match(plain, /^sea-harness FAIL: 2 of 5 cases/);
  t.match(plain, /\n  beside sea_to_user it gave fail \(arm64\/inject_iabt\.c:71: r && errno == EINVAL\); this verdict is from a re-run alone\n/);
  const colored = renderRun(run, 'human', { color: true });
  t.match(colored, /\u001b\[31m/, 'colour when asked');
  for (const name of ['kselftest-runner-wrapped', 'kvm-assertion-failure', 'skip-all-plan']) {
    t.notMatch(renderKtap(fixture(name), 'human', { color: false, name }), /\u001b\[/, name);
  }
  t.match(renderKtap(fixture('kvm-assertion-failure'), 'human', { color: false }), /no KTAP results in this output/);
});

t.test('JSON and every format render every fixture', async (t) => {
  const doc = fixture('sea-to-user-no-einj-skip-bailout');
  const json = renderKtap(doc, 'json', { color: false });
  t.ok(json.endsWith('}\n'), 'trailing newline');
  t.match(json, /^\{\n {2}"schema": "sea-harness\/ktap@1",/, '2-space indent');
  t.strictSame(JSON.parse(json), JSON.parse(JSON.stringify(doc)));
  t.strictSame(JSON.parse(renderRun(run, 'json', { color: false })), JSON.parse(JSON.stringify(run)));
  t.strictSame(OUTPUT_FORMATS, ['human', 'json', 'junit', 'tap', 'markdown']);
  const stopped: RunResult = { ...run, verdict: 'error', cases: [], error: { stage: 'boot', message: 'QEMU exited with status 1 before the SSH server answered', hint: 'see console.log' } };
  for (const format of OUTPUT_FORMATS) {
    t.ok(renderRun(stopped, format, { color: false }).length > 0, `${format}: a run that stopped early`);
  }
  t.match(renderRun(stopped, 'tap', { color: false }), /^Bail out! boot: QEMU exited/m);
  t.equal(XMLValidator.validate(renderRun(stopped, 'junit', { color: false })), true);
  const fixtures = ['crlf', 'directives-mixed-case', 'kunit-tab-nesting-printk-timestamps', 'plan-at-end', 'kselftest-numbering-problems', 'runner-timeout-console-noise'];
  for (const name of fixtures) {
    for (const format of OUTPUT_FORMATS) {
      t.doesNotThrow(() => renderKtap(fixture(name), format, { color: false, name }), `${name} as ${format}`);
    }
  }
});
