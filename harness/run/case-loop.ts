// The cases of a run in the booted L1: up to --jobs at once (cases whose files allow it), an L1 restart when a case
// leaves it unusable, and a re-run alone for every verdict obtained beside others that is not a clean expected one.
import type { Context } from '../util/context.js';
import type { CaseResult } from '../model/result.js';
import { caseRunLabel } from '../model/case-run.js';
import type { Guest } from '../guest/boot.js';
import type { CoverageProbe } from '../coverage/probe.js';
import type { L1Environment } from '../guest/environment.js';
import { caseNotRun, runCase, type CaseRun, type CaseRunInput } from '../cases/runner.js';
import { needsAloneRerun, nextToStart, type Limits, type Slot } from './schedule.js';
import { writeCaseOutput } from './artifacts.js';

/** The L1 the cases run in: the current one (null while none is up) and how to boot a fresh one. */
export interface L1Session {
  current: Guest | null;
  readonly boot: () => Promise<Guest>;
}

export interface CaseLoopInput {
  readonly inputs: readonly CaseRunInput[];
  readonly jobs: number;
  readonly env: L1Environment;
  readonly outDir: string;
  /** Each final result is pushed here as soon as it is known (the pipeline reports partial results on a boot crash). */
  readonly results: CaseResult[];
  /** --coverage: told when a group of cases starts in an idle L1 and when the L1 is idle again after it. */
  readonly coverage?: CoverageProbe;
}


interface Attempt {
  readonly input: CaseRunInput;
  readonly run: CaseRun | null;
  readonly result: CaseResult;
  readonly ranBeside: readonly string[];
}

const label = (i: CaseRunInput) => caseRunLabel(i.id);
const slot = (i: CaseRunInput): Slot => ({ name: i.def.name, concurrent: i.def.concurrent, hugepages1G: i.def.requires.hugepages1G });

export async function runCases(ctx: Context, session: L1Session, loop: CaseLoopInput): Promise<void> {
  // A result is final as soon as its attempt ends, unless it must be re-checked alone (the set of cases it ran
  // beside is complete by then), so a later boot crash cannot take the finished ones with it.
  const again: Attempt[] = [];
  const ended = new Map<string, CaseResult>();
  await runPhase(ctx, session, loop, loop.inputs, loop.jobs, async (a) => {
    ended.set(label(a.input), a.result);
    const besideClean = a.ranBeside.every((n) => {
      const r = ended.get(n);
      return r !== undefined && r.verdict !== 'timeout' && r.warnings.length === 0;
    });
    if (!needsAloneRerun({ met: a.result.met, timedOut: a.result.verdict === 'timeout', warningCount: a.result.warnings.length, ranBeside: a.ranBeside, besideClean })) {
      loop.results.push(a.ranBeside.length ? { ...a.result, ranBeside: a.ranBeside } : a.result);
      return;
    }
    const why = a.result.met ? 'kernel warnings appeared' : `${a.result.verdict}, expected ${a.result.expected}`;
    ctx.log.info(`case ${label(a.input)}: ${why} while it ran beside ${a.ranBeside.join(', ')}: it will be re-run alone so the verdict is its own`);
    // The attempt beside others stays on disk next to the one that counts.
    if (a.run) await writeCaseOutput(loop.outDir, a.input.id, a.run.stdout, a.run.stderr, a.run.consoleLines, true);
    again.push(a);
  });
  if (again.length === 0) return;
  await runPhase(ctx, session, loop, again.map((a) => a.input), 1, async (b) => {
    const a = again.find((x) => x.input === b.input)!;
    loop.results.push({ ...b.result, besideAttempt: { verdict: a.result.verdict, reason: a.result.reason, ranBeside: a.ranBeside } });
  });
}

/** Runs `inputs` with up to `jobs` at once, handing each attempt to `onAttempt` as it ends. */
async function runPhase(ctx: Context, session: L1Session, loop: CaseLoopInput, inputs: readonly CaseRunInput[], jobs: number, onAttempt: (a: Attempt) => Promise<void>): Promise<void> {
  const limits: Limits = { jobs, hugepages1GFree: loop.env.hugepages1G.free };
  const waiting = [...inputs];
  const running = new Map<CaseRunInput, { readonly done: Promise<CaseRunInput>; readonly beside: Set<string>; run: CaseRun | null }>();
  let restart = false;
  /** The cases started since the counters were last reset (null: no group open). */
  let group: string[] | null = null;

  const finish = async (input: CaseRunInput, r: CaseRun, beside: readonly string[]) => {
    await writeCaseOutput(loop.outDir, input.id, r.stdout, r.stderr, r.consoleLines);
    const v = r.result;
    ctx.log.info(`case ${label(input)}: ${v.verdict}${v.met ? '' : ` (expected ${v.expected})`}${v.reason ? ` - ${v.reason}` : ''}${beside.length ? ` [beside ${beside.join(', ')}]` : ''}`);
    if (r.needsRestart) {
      ctx.log.warn(`case ${label(input)} left the L1 unusable (${v.verdict}): it will be restarted before the next case`);
      restart = true;
    }
  };

  while (waiting.length > 0 || running.size > 0) {
    if (restart && running.size === 0 && session.current) {
      await session.current.shutdown();
      session.current = null;
      restart = false;
    }
    if (!restart && waiting.length > 0) {
      if (!session.current) {
        ctx.log.info('boot: restarting the L1 before the next case');
        session.current = await session.boot();
      }
      const guest = session.current;
      if (loop.coverage && running.size === 0 && group === null) {
        await loop.coverage.start(guest);
        group = [];
      }
      for (let next = nextToStart(waiting, [...running.keys()], slot, limits); next; next = nextToStart(waiting, [...running.keys()], slot, limits)) {
        waiting.splice(waiting.indexOf(next), 1);
        const pre = caseNotRun(next, loop.env);
        if (pre) {
          await onAttempt({ input: next, run: null, result: pre, ranBeside: [] });
          continue;
        }
        const input = next;
        const beside = new Set<string>();
        for (const [other, o] of running) {
          o.beside.add(label(input));
          beside.add(label(other));
        }
        const entry = {
          beside,
          run: null as CaseRun | null,
          done: runCase(ctx, guest, input).then((r) => {
            entry.run = r;
            return input;
          }),
        };
        // If a case's run throws, the race below rethrows it; the others are left to the L1's shutdown.
        entry.done.catch(() => undefined);
        running.set(input, entry);
        group?.push(label(input));
      }
    }
    if (running.size === 0) continue;
    const input = await Promise.race([...running.values()].map((e) => e.done));
    const entry = running.get(input)!;
    running.delete(input);
    const beside = [...entry.beside];
    await finish(input, entry.run!, beside);
    if (loop.coverage && running.size === 0 && group !== null) {
      if (restart) loop.coverage.lost(group, `the L1 was unusable after ${label(input)}`);
      else if (group.length > 0 && session.current) await loop.coverage.stop(session.current, group);
      group = null;
    }
    await onAttempt({ input, run: entry.run, result: entry.run!.result, ranBeside: beside });
  }
  if (restart && session.current) {
    await session.current.shutdown();
    session.current = null;
  }
}
