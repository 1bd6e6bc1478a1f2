// The one mapping to DESIGN.md's exit codes, row by row: run and ci verdicts, errors, and a run stopped by an error.
import t from 'tap';
import { exitCodeForCi, exitCodeForError, exitCodeForRun, exitCodeForRunOutcome, runVerdictOf } from './exit-codes.js';
import { exitCodeForParse } from './exit-codes.js';
import { AbortedError, BuildFailedError, HarnessError, SeriesApplyError, SeriesIncompleteError, UsageError } from '../util/errors.js';

/** The three default cases as a run on the default profile reports them. */
const passed = { verdict: 'pass', met: true } as const;
const expectedSkip = { verdict: 'skip', met: true } as const;
const failed = { verdict: 'fail', met: false } as const;
/** sea_to_user when the L1 has no free 1 GiB hugepage (cases/requirements.ts): the machine's problem, not the kernel's. */
const l1Lacks = { verdict: 'error', met: false } as const;

t.test('a case verdict `error` makes the run exit 3, not 1', async (t) => {
  t.equal(runVerdictOf([l1Lacks, passed, passed]), 'error');
  t.equal(exitCodeForRun(runVerdictOf([l1Lacks, passed, passed])), 3, 'one case could not run: infrastructure');
  t.equal(exitCodeForRun(runVerdictOf([passed, failed, l1Lacks])), 3, 'error wins over a failed case too');
  t.equal(exitCodeForRunOutcome(runVerdictOf([passed, l1Lacks]), null), 3, 'and through the outcome mapping, with no error that stopped the run');
});

t.test('run verdicts from cases', async (t) => {
  t.equal(runVerdictOf([passed, expectedSkip, passed]), 'pass', 'an expected skip meets its expectation');
  t.equal(runVerdictOf([passed, failed, passed]), 'fail');
  t.equal(runVerdictOf([failed]), 'fail');
  t.equal(runVerdictOf([{ verdict: 'pass', met: false }, passed]), 'fail', 'a pass where a skip was expected does not meet it');
});

t.test('run and ci verdicts to exit codes', async (t) => {
  t.same(
    (['pass', 'fail', 'error', 'build-failed', 'apply-failed'] as const).map(exitCodeForRun),
    [0, 1, 3, 4, 5],
  );
  t.same(
    (['ok', 'regressed', 'error', 'build-failed', 'apply-failed'] as const).map(exitCodeForCi),
    [0, 1, 3, 4, 5],
  );
});

t.test('errors that reach the command line', async (t) => {
  t.equal(exitCodeForError(new UsageError('unknown case "sea_to_usr"', 'valid: sea_to_user, inject_iabt, external_aborts')), 2);
  t.equal(exitCodeForError(new AbortedError('interrupted by SIGINT')), 130, 'a signal');
  t.equal(exitCodeForError(new AbortedError('interrupted by SIGTERM', 'interrupt')), 130);
  t.equal(exitCodeForError(new AbortedError('--deadline 600 s reached', 'deadline')), 3, 'the deadline is the machine being too slow');
  const status = [{ patch: 2, subject: '[PATCH v2 2/3] KVM: arm64: x', messageId: null, applied: false }];
  t.equal(exitCodeForError(new SeriesApplyError('patch 2/3 does not apply', { status, outputTail: 'error: patch failed', logPath: '/o/am.log' })), 5);
  t.equal(exitCodeForError(new SeriesIncompleteError('series v2 is missing patch 2/3 (have 1/3, 3/3)', { version: 2, missing: [2], total: 3 }, 'b4 am <id>')), 5, 'a series missing a patch: as one that does not apply');
  t.equal(exitCodeForError(new BuildFailedError('the kernel does not build', { stage: 'build', outputTail: 'x.c:1:2: error: y' })), 4);
  t.equal(exitCodeForError(new HarnessError('QEMU exited before the L1 booted', { stage: 'boot' })), 3);
  t.equal(exitCodeForError(new Error('ENOSPC: no space left on device')), 3);
  t.equal(exitCodeForError('a thrown string'), 3);
});

t.test('a run stopped by an error', async (t) => {
  t.equal(exitCodeForRunOutcome('error', new UsageError('--kernel: not a kernel tree')), 2, 'bad input keeps its own code');
  t.equal(exitCodeForRunOutcome('error', new AbortedError('interrupted by SIGINT')), 130);
  t.equal(exitCodeForRunOutcome('error', new AbortedError('--deadline reached', 'deadline')), 3);
  t.equal(exitCodeForRunOutcome('error', new Error('QEMU died')), 3);
  t.equal(exitCodeForRunOutcome('fail', new HarnessError('Kernel panic while booting', { stage: 'boot' })), 1, 'a crash while booting is a fail verdict with its error, and stays 1');
  t.equal(exitCodeForRunOutcome('fail', new UsageError('x')), 1, 'only an error verdict takes the code of what stopped it');
  t.equal(exitCodeForRunOutcome('build-failed', new BuildFailedError('no', { stage: 'build' })), 4);
  t.equal(exitCodeForRunOutcome('pass', null), 0);
});

t.test('parse: 0 only when KTAP was found and nothing failed; a failure and no KTAP at all are both 1', async (t) => {
  t.equal(exitCodeForParse('ok'), 0);
  t.equal(exitCodeForParse('failed'), 1);
  t.equal(exitCodeForParse('no-ktap'), 1);
});
