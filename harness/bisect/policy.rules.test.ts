// Every row of the bisect step policy, with its exact reason, on case results recorded by real runs (ci/fixtures).
import t from 'tap';
import { readFileSync } from 'node:fs';
import type { CaseResult, RunResult } from '../model/result.js';
import { DEFAULT_POLICY, EXIT_FOR, decide, type StepPolicy } from './policy.js';

const run = (f: string) => JSON.parse(readFileSync(new URL(`../ci/fixtures/${f}.result.json`, import.meta.url), 'utf8')) as RunResult;
const get = (f: string, n: string) => run(f).cases.find((c) => c.name === n)!;
const PASS = get('series', 'inject_iabt');
const FAIL = get('series-break', 'inject_iabt');
const HANG = get('series-hang', 'inject_iabt');
const ABSENT = get('base-debian-7.3', 'inject_iabt');
const SKIP = get('series', 'sea_to_user');
const ALL_BAD: StepPolicy = { crash: 'bad', buildFailure: 'bad', timeout: 'bad' };
const LENIENT: StepPolicy = { crash: 'skip', buildFailure: 'skip', timeout: 'skip' };
const onCase = (result: CaseResult, policy: StepPolicy = DEFAULT_POLICY) => decide({ kind: 'case', result }, policy);

t.test('defaults and exit codes (DESIGN.md)', async (t) => {
  t.same(DEFAULT_POLICY, { crash: 'bad', buildFailure: 'skip', timeout: 'skip' });
  t.same(EXIT_FOR, { good: 0, bad: 1, skip: 125 });
});

t.test('stages that stopped before the case', async (t) => {
  const msg = 'arch/arm64/kvm/guest.c:790:3: error: expected ; before }';
  t.same(decide({ kind: 'build-failed', message: msg }, DEFAULT_POLICY), {
    verdict: 'build-failed',
    step: 'skip',
    reason: `the kernel does not build here: ${msg} (a build failure is a skip unless --build-failure bad)`,
  });
  t.same(decide({ kind: 'build-failed', message: msg }, ALL_BAD), { verdict: 'build-failed', step: 'bad', reason: `the kernel does not build here: ${msg}` });
  for (const policy of [DEFAULT_POLICY, ALL_BAD]) {
    t.same(decide({ kind: 'apply-failed', message: 'patch 2/3 does not apply' }, policy), { verdict: 'apply-failed', step: 'skip', reason: 'the series does not apply here: patch 2/3 does not apply' });
    t.same(decide({ kind: 'error', message: 'QEMU exited before the L1 booted' }, policy), {
      verdict: 'error',
      step: 'skip',
      reason: 'infrastructure or harness error, not a verdict on this commit: QEMU exited before the L1 booted',
    });
  }
});

t.test('case results', async (t) => {
  t.same(onCase(PASS), { verdict: 'pass', step: 'good', reason: 'inject_iabt pass' });
  t.same(onCase(SKIP), { verdict: 'skip', step: 'good', reason: `sea_to_user skip: ${SKIP.reason}` }, 'the expected skip');
  t.same(onCase(ABSENT), { verdict: 'absent', step: 'skip', reason: 'inject_iabt is not in this tree (its selftest is missing)' }, 'absent, even when absence was allowed');
  t.same(onCase(FAIL), { verdict: 'fail', step: 'bad', reason: `inject_iabt fail: ${FAIL.reason}` });
  t.same(onCase(FAIL, LENIENT).step, 'bad', 'a fail is bad whatever the options');
  t.same(onCase(HANG), { verdict: 'timeout', step: 'skip', reason: `inject_iabt timeout: ${HANG.reason} (a timeout under TCG is a skip unless --timeout-verdict bad)` });
  t.same(onCase(HANG, ALL_BAD), { verdict: 'timeout', step: 'bad', reason: `inject_iabt timeout: ${HANG.reason}` });
  const crash = { ...FAIL, verdict: 'crash' as const, reason: 'the L1 kernel crashed: Internal error: Oops: 0000000096000004 [#1] SMP' };
  t.same(onCase(crash), { verdict: 'crash', step: 'bad', reason: `inject_iabt crash: ${crash.reason}` });
  t.same(onCase(crash, LENIENT), { verdict: 'crash', step: 'skip', reason: `inject_iabt crash: ${crash.reason} (a crash is a skip with --crash skip)` });
  const error = { ...FAIL, verdict: 'error' as const, reason: null };
  t.same(onCase(error, ALL_BAD), { verdict: 'error', step: 'skip', reason: 'infrastructure or harness error, not a verdict on this commit: inject_iabt error' });
});

t.test('neither good nor bad: another skip, or a pass where a skip was expected', async (t) => {
  const otherSkip = { ...SKIP, met: false, reason: 'the kernel does not advertise KVM_CAP_ARM_SEA_TO_USER' };
  t.same(onCase(otherSkip), {
    verdict: 'skip',
    step: 'skip',
    reason: `sea_to_user skip: the kernel does not advertise KVM_CAP_ARM_SEA_TO_USER (expected skip: ${SKIP.expectedReason}): neither good nor bad`,
  });
  const passInstead = { ...SKIP, verdict: 'pass' as const, met: false, reason: null, expectedReason: null };
  t.same(onCase(passInstead), { verdict: 'pass', step: 'skip', reason: 'sea_to_user pass (expected skip): neither good nor bad' });
});
