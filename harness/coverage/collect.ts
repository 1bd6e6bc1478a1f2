// The L1 side of patch coverage, over the run's SSH session: reset the kernel's gcov counters before a group
// of cases and read them back after it (debugfs `gcov/`, Documentation/dev-tools/gcov.rst). The .gcda files
// there are generated on read and report size 0, so each is read with cat, base64-encoded for the text channel.
import type { SshSession } from '../guest/ssh.js';
import { HarnessError } from '../util/errors.js';
import { COUNTER_MARK, parseCounterDump, type CounterFiles } from './counter-dump.js';

export type { CounterFiles } from './counter-dump.js';

export const GCOV_DEBUGFS = '/sys/kernel/debug/gcov';


export interface CounterSnapshot {
  readonly cases: readonly string[];
  readonly files: CounterFiles;
}

export async function resetCounters(ssh: SshSession): Promise<void> {
  const r = await ssh.exec(`echo 1 > ${GCOV_DEBUGFS}/reset`, { timeoutMs: 30_000 });
  if (r.exitCode !== 0) {
    throw new HarnessError(`cannot reset the L1's gcov counters: ${r.stderr.trim() || `exit ${String(r.exitCode)}`}`, {
      stage: 'coverage',
      hint: `the coverage kernel needs CONFIG_GCOV_KERNEL and debugfs at /sys/kernel/debug (images/init.sh mounts it); is ${GCOV_DEBUGFS} there?`,
    });
  }
}


export async function readCounters(ssh: SshSession): Promise<CounterFiles> {
  const script = `cd ${GCOV_DEBUGFS} && find . -name '*.gcda' | while read -r f; do echo "${COUNTER_MARK}$f"; cat "$f" | base64; done`;
  const r = await ssh.exec(script, { timeoutMs: 120_000 });
  if (r.exitCode !== 0) {
    throw new HarnessError(`cannot read the L1's gcov counters: ${r.stderr.trim() || `exit ${String(r.exitCode)}`}`, { stage: 'coverage', hint: 'the L1\'s busybox needs find, cat and base64' });
  }
  return parseCounterDump(r.stdout);
}
