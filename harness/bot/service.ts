// `sea-harness bot` as a loop: poll each archive, turn complete and settled series into jobs, run up to
// `workers` ci children, record their verdicts and deliver the replies. Restart-safe through the store: a job
// a killed bot left `running` is ended and requeued; a verdict not yet delivered is delivered.
import { join } from 'node:path';
import type { Context } from '../util/context.js';
import { HarnessError } from '../util/errors.js';
import { pollArchive } from './archive.js';
import { countFlake, decideExit, decideIntake, type IntakePolicy } from './schedule.js';
import { readFile } from 'node:fs/promises';
import type { CiResult } from '../model/ci.js';
import { groupSeries } from './threads.js';
import type { BotStore, JobRow } from './store.js';
import { endLeftover, startCi, type CiChild, type CiSettings } from './worker.js';

export interface BotConfig extends CiSettings, IntakePolicy {
  readonly archives: readonly string[];
  readonly stateDir: string;
  readonly workers: number;
  readonly pollMs: number;
  readonly maxInfraRetries: number;
  /** Stop when nothing is queued, running or settling (cron use, and `--once`). */
  readonly once: boolean;
}

/** What happens to a job's verdict: reply, patchwork checks, flake history (bot/deliver.ts). */
export type Deliver = (job: JobRow, attemptDir: string) => Promise<void>;

export function jobDir(stateDir: string, root: string): string {
  return join(stateDir, 'jobs', root.replace(/[^A-Za-z0-9._@+-]/g, '_'));
}

export async function runBot(ctx: Context, store: BotStore, cfg: BotConfig, deliver: Deliver): Promise<void> {
  const log = (s: string) => ctx.log.info(`bot: ${s}`);
  await recover(store, log);
  const running = new Map<string, CiChild>();
  const epochs = new Map<string, number>();
  let wake: (() => void) | null = null;
  let stopping = false;
  const nudge = () => wake?.();
  ctx.signal.addEventListener('abort', nudge);

  const deliverPending = async () => {
    for (const j of store.jobs().filter((x) => x.state === 'done' && !x.deliveredAt && x.outDir)) {
      try {
        await deliver(j, j.outDir!);
        log(`delivered the reply for <${j.root}> (v${j.version}, ${j.verdict})`);
      } catch (err) {
        store.event(j.root, `delivery failed: ${(err as Error).message}`);
        log(`delivery for <${j.root}> failed, will retry: ${err instanceof HarnessError ? err.describe() : (err as Error).message}`);
      }
    }
  };

  const finish = async (job: JobRow, child: CiChild) => {
    const code = await child.exited;
    running.delete(job.root);
    const d = decideExit(code, job.infraFailures, cfg.maxInfraRetries);
    const fresh = store.job(job.root)!;
    switch (d.kind) {
      case 'verdict': {
        // The flake history moves in the transaction that records the verdict: counted once, whatever dies when.
        // Read the file first: between reading the history and writing it nothing may await (another worker).
        const ran = await readCases(child.dir);
        const flakes = store.flakes();
        const cases = ran.map((c) => ({ name: c.name, flaky: c.change === 'flaky', count: countFlake(flakes.get(c.name), c.change === 'flaky') }));
        store.recordVerdict(cases, () => store.update(job.root, 'running', { state: 'done', pid: null, exit_code: code, verdict: d.verdict, out_dir: child.dir }, `ci exit ${code}: ${d.verdict}`));
        log(`ci for <${job.root}> v${job.version}: ${d.verdict} (exit ${code})`);
        break;
      }
      case 'retry':
        store.update(job.root, 'running', { state: 'queued', pid: null, exit_code: code, infra_failures: d.infraFailures, reason: d.why }, d.why);
        log(`ci for <${job.root}>: ${d.why}`);
        break;
      case 'requeue':
        store.update(job.root, 'running', { state: 'queued', pid: null, exit_code: code, reason: d.why }, `${d.why}: back in the queue`);
        log(`ci for <${job.root}>: ${d.why}, requeued`);
        break;
      case 'failed':
        store.update(job.root, 'running', { state: 'failed', pid: null, exit_code: code, reason: d.why, out_dir: child.dir }, d.why);
        log(`ci for <${job.root}> failed: ${d.why} (${fresh.attempts} attempt(s); log ${join(child.dir, 'ci.log')})`);
        break;
    }
    nudge();
  };

  for (;;) {
    if (!ctx.signal.aborted) {
      for (const a of cfg.archives) {
        try {
          const r = await pollArchive(ctx, store, cfg.stateDir, a, epochs.get(a) ?? 0);
          epochs.set(a, r.epochs);
          if (r.added) log(`${a}: ${r.added} new mail(s)`);
        } catch (err) {
          if (ctx.signal.aborted) break;
          log(`polling ${a} failed, next poll in ${cfg.pollMs / 1000} s: ${err instanceof HarnessError ? err.describe() : (err as Error).message}`);
        }
      }
    }
    const decision = decideIntake(groupSeries(store.messages()), store.jobs(), Date.now(), cfg);
    for (const { series, by } of decision.supersede) {
      if (store.addJob({ root: series.root, archive: series.archive, version: series.version, title: series.title, from: series.from, state: 'superseded', supersededBy: by })) log(`v${series.version} <${series.root}> superseded by <${by}>`);
      else if (store.update(series.root, 'queued', { state: 'superseded', superseded_by: by }, `superseded by <${by}> while queued`)) log(`queued v${series.version} <${series.root}> superseded by <${by}>`);
    }
    for (const s of decision.queue) if (store.addJob({ root: s.root, archive: s.archive, version: s.version, title: s.title, from: s.from, state: 'queued' })) log(`queued v${s.version} "${s.title}" <${s.root}>`);

    while (!ctx.signal.aborted && running.size < cfg.workers) {
      const next = store.jobs().find((j) => j.state === 'queued' && !running.has(j.root));
      if (!next) break;
      const attempt = next.attempts + 1;
      if (!store.update(next.root, 'queued', { state: 'running', attempts: attempt }, `attempt ${attempt} starting`)) continue;
      const child = await startCi(next, cfg, jobDir(cfg.stateDir, next.root), attempt);
      store.update(next.root, 'running', { pid: child.pid, out_dir: child.dir }, `ci pid ${child.pid} in ${child.dir}`);
      log(`ci started for <${next.root}> v${next.version}, attempt ${attempt}, pid ${child.pid}: ${child.dir}`);
      running.set(next.root, child);
      void finish(store.job(next.root)!, child);
    }
    await deliverPending();

    if (ctx.signal.aborted) {
      if (running.size === 0) break;
      // Once: ci takes SIGINT as "stop, clean up, exit 130"; a second one would make it leave at once.
      if (!stopping) for (const c of running.values()) c.stop();
      stopping = true;
    } else if (cfg.once && running.size === 0 && !store.jobs().some((j) => j.state === 'queued') && !decision.waiting.some((w) => w.settling)) break;
    await new Promise<void>((resolve) => {
      wake = resolve;
      // Not unref'd: between polls this timer is all that keeps the service's event loop alive.
      setTimeout(resolve, ctx.signal.aborted ? 1000 : cfg.pollMs);
    });
    wake = null;
  }
  ctx.signal.removeEventListener('abort', nudge);
  log('stopped');
}

/** After a crash or SIGKILL: jobs left `running` end their leftover ci and go back to the queue. */
async function recover(store: BotStore, log: (s: string) => void): Promise<void> {
  for (const j of store.jobs().filter((x) => x.state === 'running')) {
    const ended = j.pid ? await endLeftover(j.pid, j.root) : false;
    store.update(j.root, 'running', { state: 'queued', pid: null }, `the bot restarted: attempt ${j.attempts} ${ended ? `(pid ${j.pid}, ended)` : 'was no longer running'}; back in the queue`);
    log(`recovered <${j.root}>: attempt ${j.attempts} ${ended ? `ended (pid ${j.pid})` : 'was gone'}, requeued`);
  }
}

/** The cases of an attempt's ci.json (none when ci stopped before writing it). */
async function readCases(dir: string): Promise<CiResult['cases']> {
  try {
    return (JSON.parse(await readFile(join(dir, 'ci.json'), 'utf8')) as CiResult).cases;
  } catch {
    return [];
  }
}
