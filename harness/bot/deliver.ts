// What follows a job's verdict: the plain-text reply to the series' cover letter (written as .eml, and sent over
// SMTP unless the bot runs dry) and patchwork check results per patch, both next to the ci artifacts.
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Context } from '../util/context.js';
import { formatCommand, HarnessError, UsageError } from '../util/errors.js';
import type { CiResult } from '../model/ci.js';
import { postedMessage, renderReply, type FlakeHistory } from './reply.js';
import { sendMail, writeEml, type SmtpOptions } from './mail.js';
import { patchworkChecks } from './patchwork.js';
import type { BotStore, JobRow } from './store.js';
import type { ListMessage } from './threads.js';
import { ciCommand, type CiSettings } from './worker.js';
import type { Deliver } from './service.js';

export interface DeliveryOptions {
  readonly identity: { readonly name: string; readonly address: string };
  /** null: a dry run, replies only written as .eml. */
  readonly smtp: SmtpOptions | null;
  /** Where the bot's job directories are published (links in replies and checks); null: file paths. */
  readonly resultsUrl: string | null;
  readonly stateDir: string;
  readonly settings: CiSettings;
}

/** `Name <addr@domain>` (or a bare address) as the bot's identity. */
export function parseIdentity(s: string): { name: string; address: string } {
  const m = /^\s*(?:"?([^"<]*?)"?\s*)?<([^<>\s]+@[^<>\s]+)>\s*$/.exec(s) ?? /^\s*()([^<>\s]+@[^<>\s]+)\s*$/.exec(s);
  if (!m) throw new UsageError(`--from ${JSON.stringify(s)}: not a mail address`, 'e.g. --from "SEA CI <sea-ci@example.org>"');
  return { name: m[1]?.trim() || 'sea-harness bot', address: m[2]! };
}

/** `HOST:PORT` (port 465: TLS from the first byte). */
export function parseSmtp(s: string): SmtpOptions {
  const m = /^([^:\s]+):(\d{1,5})$/.exec(s.trim());
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new UsageError(`--smtp ${JSON.stringify(s)}: expected HOST:PORT`, 'e.g. --smtp localhost:25');
  const port = Number(m[2]);
  return { host: m[1]!, port, ...(port === 465 ? { secure: true } : {}) };
}

/** The row the bot stored as the posted mail a reply needs (From, Message-ID, the recipients, References). */
function posted(m: ListMessage) {
  const headers = new Map<string, string>([
    ['from', m.from],
    ['message-id', `<${m.msgid}>`],
    ['subject', m.subject],
    ['date', m.date ?? ''],
    ['to', m.to],
    ['cc', m.cc],
    ['references', m.references.map((r) => `<${r}>`).join(' ')],
  ]);
  return postedMessage({ headers, body: '', raw: '' });
}

export function makeDeliverer(ctx: Context, store: BotStore, o: DeliveryOptions): Deliver {
  return async (job: JobRow, attemptDir: string) => {
    const result = JSON.parse(await readFile(join(attemptDir, 'ci.json'), 'utf8')) as CiResult;
    const root = store.message(job.root);
    if (!root) throw new HarnessError(`the bot's store has no mail <${job.root}> to answer`, { stage: 'report' });
    const jobDir = dirname(attemptDir);
    const results = o.resultsUrl ? `${o.resultsUrl.replace(/\/+$/, '')}/${basename(jobDir)}/${basename(attemptDir)}/` : attemptDir;
    const flakes: Record<string, FlakeHistory> = {};
    for (const [name, f] of store.flakes()) flakes[name] = { runs: f.runs, flaked: f.flaked, lastSeen: f.lastFlaked };
    const superseded = store.jobs().filter((j) => j.supersededBy === job.root).map((j) => `v${j.version}`);
    const reproduce = formatCommand(['npx', 'sea-harness', ...ciCommand(job, o.settings, 'out/ci').slice(2)].filter((a, i, all) => !(a === '--format' || all[i - 1] === '--format')));
    const mail = renderReply({
      result,
      posted: posted(root),
      bot: { ...o.identity, results },
      jobId: job.root,
      reproduce,
      flakes,
      version: `v${job.version}`,
      ...(superseded.length ? { superseded } : {}),
      now: new Date(),
      dryRun: o.smtp === null,
    });
    const eml = await writeEml(mail, join(jobDir, 'reply'));
    const checks = patchworkChecks(result, { targetUrl: o.resultsUrl ? results : null });
    await writeFile(join(jobDir, 'patchwork-checks.json'), JSON.stringify(checks, null, 2) + '\n');
    let how = `dry run: ${eml}`;
    if (o.smtp) {
      const sent = await sendMail(mail, o.smtp);
      how = `sent through ${o.smtp.host}:${o.smtp.port}: ${sent.response}`;
    }
    store.update(job.root, 'done', { delivered_at: new Date().toISOString(), reply_message_id: mail.messageId }, `reply ${mail.messageId} ${how}`);
    ctx.log.info(`bot: reply to <${job.root}>: ${how}`);
  };
}
