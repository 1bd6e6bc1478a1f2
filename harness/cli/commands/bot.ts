// `sea-harness bot`: the mailing-list CI bot as a long-running service; `bot status`: its queue and history.
import { join, resolve } from 'node:path';
import { BotStore } from '../../bot/store.js';
import { runBot, type BotConfig } from '../../bot/service.js';
import { makeDeliverer, parseIdentity, parseSmtp } from '../../bot/deliver.js';
import { renderStatus } from '../../bot/status.js';
import { UsageError } from '../../util/errors.js';
import { int, list, parseCommand, str, NO_SANDBOX, type CommandSpec } from '../options.js';
import { formatChoice, formatOption } from '../format.js';
import type { CommandMain } from '../runtime.js';

export const spec: CommandSpec = {
  name: 'bot',
  summary:
    'The patch CI bot as a service: polls public-inbox archives (their git epochs), waits until a series is complete and quiet (--settle), drops versions a newer complete one supersedes, queues it in a SQLite store under --state (a restart, also after SIGKILL, loses nothing and tests nothing twice), runs `sea-harness ci` on it with up to --workers at a time, retries infrastructure errors (exit 3) up to --retries times and never retries a verdict, keeps a per-case flake history, and answers each series with a plain-text reply threaded to its cover letter: written as .eml under --state and sent over SMTP with --smtp (without it: a dry run), plus patchwork check results and the ci artifacts (kcidb.json). `bot status` prints the queue, the flake history and the last events. Exit 0 when stopped by SIGTERM/SIGINT (running ci runs are interrupted and requeued) or, with --once, when nothing is left to do.',
  usage: 'sea-harness bot --archive URL [--archive URL ...] [--kernel DIR --base REV] [--state DIR] [--smtp HOST:PORT] [--from "Name <addr>"] [options]  |  sea-harness bot status [--state DIR]',
  positionals: { min: 0, max: 1 },
  options: [
    { name: 'archive', type: 'string', multiple: true, arg: 'URL', help: 'public-inbox inbox to watch, e.g. https://lore.kernel.org/kvmarm (repeatable)' },
    { name: 'kernel', type: 'string', arg: 'DIR', help: 'git kernel tree the series are tested on (default: Debian\'s linux-source-7.3)' },
    { name: 'base', type: 'string', arg: 'REV', help: 'with --kernel: the branch used when a series names no base-commit the tree has' },
    { name: 'state', type: 'string', arg: 'DIR', help: 'the bot\'s database, mirrors, jobs and replies (default: $SEA_HARNESS_CACHE/bot)' },
    { name: 'workers', type: 'string', arg: 'N', help: 'ci runs at a time (default 1; they share the kernel workspace, so builds still take turns)' },
    { name: 'settle', type: 'string', arg: 'SECONDS', help: 'quiet time after a series\' last mail before it is tested (default 300)' },
    { name: 'poll', type: 'string', arg: 'SECONDS', help: 'time between polls of the archives (default 60)' },
    { name: 'retries', type: 'string', arg: 'N', help: 'retries of a ci that ends in an infrastructure error, exit 3 (default 2)' },
    { name: 'since', type: 'string', arg: 'DATE', help: 'test only series posted at or after DATE (ISO 8601; default: the bot\'s first start, kept in its state)' },
    { name: 'smtp', type: 'string', arg: 'HOST:PORT', help: 'send replies through this SMTP server (default: a dry run, replies only written as .eml)' },
    { name: 'from', type: 'string', arg: '"NAME <ADDR>"', help: 'the bot\'s identity in replies (default "sea-harness bot <sea-harness@localhost>")' },
    { name: 'results-url', type: 'string', arg: 'URL', help: 'where the job directories are published, for links in replies and patchwork checks (default: file paths)' },
    { name: 'ci-arg', type: 'string', multiple: true, arg: 'ARG', help: 'extra ci argument, repeatable, e.g. --ci-arg=--case --ci-arg=inject_iabt' },
    { name: 'once', type: 'boolean', help: 'stop when nothing is queued, running or settling (for cron)' },
    NO_SANDBOX,
    formatOption(['human', 'json'], 'for `bot status`'),
    { name: 'verbose', type: 'boolean', short: 'v', help: 'more detail' },
  ],
  examples: [
    'npx sea-harness bot --archive https://lore.kernel.org/kvmarm --kernel ~/linux --base kvmarm/next --smtp localhost:25 --from "SEA CI <sea-ci@example.org>"',
    'npx sea-harness bot status --state /var/lib/sea-harness/bot',
  ],
};

export const main: CommandMain = async (rt, argv) => {
  const { values, positionals } = parseCommand(spec, argv);
  const stateDir = resolve(str(values, 'state') ?? join(rt.ctx.cacheDir, 'bot'));
  if (positionals[0] === 'status') {
    const store = new BotStore(join(stateDir, 'bot.sqlite'));
    try {
      const format = formatChoice(values, ['human', 'json'] as const).stdout;
      process.stdout.write(renderStatus(store, format));
    } finally {
      store.close();
    }
    return 0;
  }
  if (positionals[0] !== undefined) throw new UsageError(`bot: unknown subcommand "${positionals[0]}"`, 'the only one is `bot status`');
  const archives = list(values, 'archive').map((a) => a.replace(/\/+$/, ''));
  if (archives.length === 0) throw new UsageError('bot needs at least one archive to watch: --archive URL', 'e.g. --archive https://lore.kernel.org/kvmarm');
  for (const a of archives) if (!/^https?:\/\//.test(a)) throw new UsageError(`--archive ${a}: expected an http(s) URL of a public-inbox inbox`);
  const kernelDir = str(values, 'kernel');
  const base = str(values, 'base');
  if (Boolean(kernelDir) !== Boolean(base)) throw new UsageError('--kernel DIR and --base REV go together: the tree and the branch to test on when a series names no base-commit it has');
  const sinceArg = str(values, 'since');
  if (sinceArg && Number.isNaN(Date.parse(sinceArg))) throw new UsageError(`--since "${sinceArg}": not a date`, 'use ISO 8601, e.g. 2026-12-01T00:00:00Z');
  const smtp = str(values, 'smtp');
  const store = new BotStore(join(stateDir, 'bot.sqlite'));
  try {
    // The first start fixes `since` (unless given): a new bot does not test the archive's whole history.
    const since = Date.parse(sinceArg ?? store.meta('since', new Date().toISOString()));
    const cfg: BotConfig = {
      archives,
      stateDir,
      kernel: kernelDir && base ? { dir: resolve(kernelDir), base } : null,
      ciArgs: [...list(values, 'ci-arg'), ...(rt.ctx.sandbox === 'off' ? ['--no-sandbox'] : [])],
      workers: int(values, 'workers') ?? 1,
      settleMs: (int(values, 'settle', 0) ?? 300) * 1000,
      pollMs: (int(values, 'poll') ?? 60) * 1000,
      maxInfraRetries: int(values, 'retries', 0) ?? 2,
      sinceMs: since,
      once: Boolean(values.once),
    };
    const deliver = makeDeliverer(rt.ctx, store, {
      identity: parseIdentity(str(values, 'from') ?? 'sea-harness bot <sea-harness@localhost>'),
      smtp: smtp ? parseSmtp(smtp) : null,
      resultsUrl: str(values, 'results-url') ?? null,
      stateDir,
      settings: cfg,
    });
    rt.log.info(`bot: watching ${archives.join(', ')}; state ${stateDir}; ${smtp ? `replies sent through ${smtp}` : 'dry run: replies written as .eml only'}; series posted since ${new Date(since).toISOString()}`);
    await runBot(rt.ctx, store, cfg, deliver);
  } finally {
    store.close();
  }
  return 0;
};
