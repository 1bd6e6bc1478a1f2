// JUnit XML reporter, in the dialect Jenkins and GitLab load: one <testsuite> per case, its KTAP subtests as <testcase>s.
import { caseRunLabel, caseRunOf } from '../model/case-run.js';
import type { KtapDocument, KtapTest } from '../model/ktap.js';
import type { CaseResult, RunResult } from '../model/result.js';
import { caseMessage, caseOutcome, countOutcomes, flattenTests, type FlatTest, type Outcome } from './outcome.js';
import { lastLines, oneLine, seconds } from './text.js';
import type { RenderOptions } from './types.js';
import { attrs, escapeText } from './xml.js';

/** How many diagnostic lines a failure body carries: enough for an assertion and its backtrace. */
const BODY_LINES = 60;

interface Case {
  readonly name: string;
  readonly classname: string;
  readonly timeMs: number;
  readonly outcome: Outcome;
  readonly message: string;
  readonly body: readonly string[];
}

interface Suite {
  readonly name: string;
  readonly timeMs: number;
  readonly cases: readonly Case[];
  readonly properties: readonly [string, string][];
  readonly out: readonly string[];
}

function testMessage(f: FlatTest): string {
  const t = f.test;
  const reason = t.reason ?? (t.exitCode !== undefined && t.exitCode !== null ? `exit code ${t.exitCode}` : null);
  return reason === null ? t.result : `${t.result}: ${reason}`;
}

function testBody(t: KtapTest): string[] {
  const body = lastLines(t.diagnostics, BODY_LINES);
  if (t.bailout !== undefined && t.bailout !== null) body.push(`Bail out! ${t.bailout}`);
  return body;
}

function fromTests(tests: readonly KtapTest[], classname: string, expectedFailure: boolean): Case[] {
  return flattenTests(tests, expectedFailure).map((f) => ({
    name: f.path.join(' / '),
    classname,
    timeMs: 0,
    outcome: f.outcome,
    message: f.outcome === 'xfail' && expectedFailure ? `expected failure: ${testMessage(f)}` : testMessage(f),
    body: testBody(f.test),
  }));
}

function caseSuite(c: CaseResult): Suite {
  const classname = `sea-harness.${c.name}`;
  const outcome = caseOutcome(c);
  const tests = c.ktap?.tests ?? [];
  const name = caseRunLabel(caseRunOf(c));
  const cases = fromTests(tests, classname, outcome === 'xfail');
  const shown = cases.some((k) => k.outcome === 'fail' || k.outcome === 'error');
  // A case without subtests is one testcase; one with subtests gets its own
  // testcase only when its verdict fails and no subtest shows why (an exit
  // code, a crash, an unmet skip reason), so the suite never looks green.
  if (cases.length === 0 || ((outcome === 'fail' || outcome === 'error') && !shown)) {
    const body = [
      ...(c.exitCode === null ? [] : [`exit code: ${c.exitCode}`]),
      ...c.warnings.map((w) => `kernel ${w.kind}: ${w.line}`),
      ...lastLines([...(c.ktap?.preamble ?? []), ...(c.ktap?.epilogue ?? [])], BODY_LINES),
    ];
    if (c.ktap?.bailout !== undefined && c.ktap.bailout !== null) body.push(`Bail out! ${c.ktap.bailout}`);
    cases.push({ name: c.name, classname, timeMs: c.durationMs, outcome, message: caseMessage(c), body });
  }
  const properties: [string, string][] = [
    ['verdict', c.verdict],
    ['expected', c.expected],
    ['met', String(c.met)],
  ];
  if (c.expectedReason !== null) properties.push(['expectedReason', c.expectedReason]);
  if (c.exitCode !== null) properties.push(['exitCode', String(c.exitCode)]);
  const out = [
    ...(c.notes ?? []).map((n) => `note: ${n}`),
    ...c.warnings.map((w) => `kernel ${w.kind}: ${w.line}`),
    ...(c.ktap?.problems ?? []).map((p) => `KTAP ${p.kind}${p.line === null ? '' : ` (line ${p.line})`}: ${p.message}`),
  ];
  return { name, timeMs: c.durationMs, cases, properties, out };
}

function renderCase(k: Case): string {
  const open = `    <testcase${attrs({ name: k.name, classname: k.classname, time: seconds(k.timeMs) })}`;
  const body = k.body.length === 0 ? '' : escapeText(k.body.join('\n'));
  const message = oneLine(k.message);
  switch (k.outcome) {
    case 'pass':
      return `${open}/>`;
    case 'skip':
    case 'xfail':
      return `${open}>\n      <skipped${attrs({ message })}/>\n    </testcase>`;
    case 'fail':
      return `${open}>\n      <failure${attrs({ message, type: 'failure' })}>${body}</failure>\n    </testcase>`;
    case 'error':
      return `${open}>\n      <error${attrs({ message, type: 'error' })}>${body}</error>\n    </testcase>`;
  }
}

function renderSuite(s: Suite): string {
  const n = countOutcomes(s.cases);
  const head = `  <testsuite${attrs({
    name: s.name,
    tests: n.total,
    failures: n.fail,
    errors: n.error,
    skipped: n.skip + n.xfail,
    time: seconds(s.timeMs),
  })}>`;
  const props =
    s.properties.length === 0
      ? []
      : ['    <properties>', ...s.properties.map(([k, v]) => `      <property${attrs({ name: k, value: v })}/>`), '    </properties>'];
  const out = s.out.length === 0 ? [] : [`    <system-out>${escapeText(s.out.join('\n'))}</system-out>`];
  return [head, ...props, ...s.cases.map(renderCase), ...out, '  </testsuite>'].join('\n');
}

function renderSuites(name: string, suites: readonly Suite[], timeMs: number): string {
  const all = countOutcomes(suites.flatMap((s) => s.cases));
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name, tests: all.total, failures: all.fail, errors: all.error, skipped: all.skip + all.xfail, time: seconds(timeMs) })}>`,
    ...suites.map(renderSuite),
    '</testsuites>',
    '',
  ].join('\n');
}

export function runJunit(result: RunResult): string {
  const suites = result.cases.map(caseSuite);
  if (result.error) {
    // The run stopped before (or between) its cases: a suite that fails says so, instead of an empty, green report.
    const e = result.error;
    suites.push({
      name: `sea-harness ${e.stage}`,
      timeMs: 0,
      properties: [],
      out: [],
      cases: [
        {
          name: e.stage,
          classname: 'sea-harness',
          timeMs: 0,
          outcome: 'error',
          message: e.message,
          body: e.hint === null ? [e.message] : [e.message, `hint: ${e.hint}`],
        },
      ],
    });
  }
  return renderSuites('sea-harness', suites, result.timings.totalMs);
}

export function ktapJunit(doc: KtapDocument, opts: RenderOptions): string {
  const name = opts.name ?? 'ktap';
  const cases = fromTests(doc.tests, name, false);
  if (doc.bailout !== null) {
    cases.push({ name: 'Bail out!', classname: name, timeMs: 0, outcome: 'error', message: `Bail out! ${doc.bailout}`, body: [...(doc.epilogue ?? [])] });
  }
  if (doc.plan?.count === 0 && doc.tests.length === 0) {
    // `1..0 # SKIP reason`: one skipped testcase, since Jenkins treats a report without any as a broken one.
    cases.push({ name, classname: name, timeMs: 0, outcome: 'skip', message: doc.plan.skipReason ?? 'skipped (plan 1..0)', body: [] });
  }
  const planned = doc.plan?.count ?? 0;
  if (doc.bailout === null && planned > doc.tests.length) {
    cases.push({
      name: `plan 1..${planned}`,
      classname: name,
      timeMs: 0,
      outcome: 'error',
      message: `${planned - doc.tests.length} of ${planned} planned tests have no result`,
      body: [...(doc.epilogue ?? [])],
    });
  }
  const out = [
    ...(doc.preamble ?? []),
    ...doc.problems.map((p) => `KTAP ${p.kind}${p.line === null ? '' : ` (line ${p.line})`}: ${p.message}`),
  ];
  return renderSuites(name, [{ name, timeMs: 0, cases, properties: [], out }], 0);
}
