// The pure parts of bisect: the step policy (every verdict and option), what git bisect's log concluded
// (recorded from real `git bisect run` sessions), doubts about a culprit, and the Markdown report.
import t from 'tap';
import { readFileSync } from 'node:fs';
import type { CaseResult, Verdict } from '../model/result.js';
import type { BisectResult } from '../model/bisect.js';
import { DEFAULT_POLICY, EXIT_FOR, decide } from './policy.js';
import { parseBisectLog } from './git-bisect.js';
import { culpritDoubts } from './commits.js';
import { renderBisectHuman, renderBisectMarkdown } from './report.js';

const fixture = (f: string) => readFileSync(new URL(`./fixtures/${f}`, import.meta.url), 'utf8');

function caseResult(verdict: Verdict, met: boolean, reason: string | null = null, expected: Verdict = 'pass'): CaseResult {
  return { name: 'inject_iabt', verdict, expected, expectedReason: null, met, reason, exitCode: null, durationMs: 0, warnings: [], ktap: null };
}

t.test('step policy: DESIGN.md defaults', async (t) => {
  const step = (v: Verdict, met: boolean, expected: Verdict = 'pass') => decide({ kind: 'case', result: caseResult(v, met, 'why', expected) }, DEFAULT_POLICY).step;
  t.equal(step('pass', true), 'good');
  t.equal(step('skip', true, 'skip'), 'good', 'an expected skip is good (sea_to_user on QEMU)');
  t.equal(step('fail', false), 'bad');
  t.equal(step('crash', false), 'bad');
  t.equal(step('timeout', false), 'skip');
  t.equal(step('error', false), 'skip');
  t.equal(step('absent', false), 'skip');
  t.equal(step('skip', false), 'skip', 'a skip for another reason is neither good nor bad');
  t.equal(step('pass', false, 'skip'), 'skip', 'a pass where a skip was expected is neither');
  t.equal(decide({ kind: 'build-failed', message: 'x.c:1: error' }, DEFAULT_POLICY).step, 'skip');
  t.equal(decide({ kind: 'apply-failed', message: 'patch 2/3' }, DEFAULT_POLICY).step, 'skip');
  t.equal(decide({ kind: 'error', message: 'QEMU died' }, DEFAULT_POLICY).step, 'skip');
  t.same(EXIT_FOR, { good: 0, bad: 1, skip: 125 });
});

t.test('step policy: the options move crash, build failure and timeout', async (t) => {
  const policy = { crash: 'skip', buildFailure: 'bad', timeout: 'bad' } as const;
  t.equal(decide({ kind: 'case', result: caseResult('crash', false, 'Kernel panic') }, policy).step, 'skip');
  t.equal(decide({ kind: 'case', result: caseResult('timeout', false) }, policy).step, 'bad');
  const b = decide({ kind: 'build-failed', message: 'the kernel failed to build: x.c:1:2: error: y' }, policy);
  t.same([b.step, b.verdict], ['bad', 'build-failed']);
  t.match(b.reason, /x\.c:1:2: error: y/);
  t.match(decide({ kind: 'case', result: caseResult('fail', false, 'arm64/inject_iabt.c:71: r && errno == EINVAL') }, policy).reason, /inject_iabt fail: arm64\/inject_iabt\.c:71/);
});

t.test('git bisect log: one first bad commit', async (t) => {
  t.same(parseBisectLog(fixture('git-bisect-log-found.txt')), { firstBad: 'd1ffc029e803a72978c52efc2e3724fe7db1a5c5', possible: [] });
});

t.test('git bisect log: only skipped commits left', async (t) => {
  t.same(parseBisectLog(fixture('git-bisect-log-skipped.txt')), { firstBad: null, possible: ['d1ffc029e803a72978c52efc2e3724fe7db1a5c5', 'ab13226bba1ed81b10eb8737b1043f41734f81f4'] });
});

t.test('git bisect log: interrupted before a conclusion', async (t) => {
  const log = fixture('git-bisect-log-found.txt').split('\n').filter((l) => !l.startsWith('# first bad')).join('\n');
  t.same(parseBisectLog(log), { firstBad: null, possible: [] });
});

t.test('culprit doubts: merges and documentation-only commits', async (t) => {
  const info = { commit: 'a', subject: 's', author: 'x', date: 'd' };
  t.same(culpritDoubts({ ...info, parents: ['p'], files: ['arch/arm64/kvm/guest.c'] }), []);
  t.match(culpritDoubts({ ...info, parents: ['p', 'q'], files: ['arch/arm64/kvm/guest.c'] }), [/merge/]);
  t.match(culpritDoubts({ ...info, parents: ['p'], files: ['Documentation/virt/kvm/api.rst', 'MAINTAINERS'] }), [/only documentation/]);
});

t.test('reports say confirmed, unconfirmed or candidates, with every step', async (t) => {
  const step = { commit: 'c'.repeat(40), subject: 'KVM: arm64: x | y', phase: 'bisect', verdict: 'fail', step: 'bad', reason: 'inject_iabt fail: a.c:1: e', fromStore: false, buildMs: 15_000, bootMs: 4000, runMs: 9000, totalMs: 30_000, outDir: '/o/steps/01' } as const;
  const base: BisectResult = { schema: 'sea-harness/bisect@1', case: 'inject_iabt', kernel: '/k', good: 'a'.repeat(40), bad: 'b'.repeat(40), series: [], culprit: null, candidates: [], reason: null, steps: [step], timings: { totalMs: 60_000 } };
  const info = { commit: 'c'.repeat(40), subject: 'KVM: arm64: x | y', author: 'A <a@b>', date: '2026-11-01', files: ['arch/arm64/kvm/guest.c'], parents: ['d'.repeat(40)] };
  const confirmed = { ...base, culprit: { ...info, confirmed: true, confirmation: { culprit: ['bad', 'bad'], parent: ['good', 'good'] }, doubts: [] } } as BisectResult;
  const md = renderBisectMarkdown(confirmed);
  t.match(md, /\*\*first bad commit for inject_iabt: cccccccccccc KVM: arm64: x \| y \(confirmed: bad 2\/2, parent good 2\/2\)\*\*/);
  t.match(md, /\| bisect \| `cccccccccccc` \| KVM: arm64: x \\\| y \| \*\*bad\*\* \| fail \|/);
  const unconfirmed = { ...base, culprit: { ...info, confirmed: false, confirmation: { culprit: ['bad', 'good'], parent: ['good', 'good'] }, doubts: [] }, reason: 'not confirmed: flaky' } as BisectResult;
  t.match(renderBisectHuman(unconfirmed), /^UNCONFIRMED first bad commit/);
  const candidates = { ...base, candidates: [{ ...info, why: 'skipped: the kernel does not build here' }], reason: 'could not tell 2 commits apart' } as BisectResult;
  t.match(renderBisectHuman(candidates), /candidate cccccccccccc .*: skipped: the kernel does not build here/);
  t.match(renderBisectMarkdown(candidates), /Why: could not tell 2 commits apart/);
});
