// Reading a public-inbox archive the way its mirrors do: each v2 epoch (<inbox>/git/<N>.git) cloned bare and
// fetched over HTTP, new commits walked from the bot's cursor, each commit's `m` blob being one mail. Nothing is
// missed between polls (unlike the Atom feed's last 25), and the cursor moves only with the mails it covers.
import { mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Context } from '../util/context.js';
import { HarnessError } from '../util/errors.js';
import { run } from '../util/exec.js';
import { sha256 } from '../util/hash.js';
import { listMessage, type ListMessage } from './threads.js';
import type { BotStore } from './store.js';

const GIT_TIMEOUT_MS = 10 * 60_000;
/** Commits read per transaction: a big first clone is stored in steps, each with its cursor. */
const BATCH = 500;

const env = { GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent' };

export function epochUrl(archive: string, epoch: number): string {
  return `${archive.replace(/\/+$/, '')}/git/${epoch}.git`;
}

async function git(ctx: Context, args: readonly string[], reject = true) {
  return run(ctx, 'git', args, { stage: 'source', env, timeoutMs: GIT_TIMEOUT_MS, reject });
}

/** Epochs 0..N-1 that the archive serves (the first that `git ls-remote` cannot reach ends the list). */
async function epochs(ctx: Context, archive: string, known: number): Promise<number> {
  let n = known;
  for (;;) {
    const r = await git(ctx, ['ls-remote', '--heads', epochUrl(archive, n)], false);
    if (r.exitCode !== 0 || r.stdout.trim() === '') break;
    n++;
  }
  if (n === 0) {
    throw new HarnessError(`the archive ${archive} serves no public-inbox v2 epoch (${epochUrl(archive, 0)} does not answer git)`, {
      stage: 'source',
      hint: 'give the URL of one inbox, e.g. https://lore.kernel.org/kvmarm (not /all, and not a message or thread URL)',
    });
  }
  return n;
}

/** Fetch every epoch and store the mails after each epoch's cursor; returns how many new mails were stored. */
export async function pollArchive(ctx: Context, store: BotStore, stateDir: string, archive: string, knownEpochs = 0): Promise<{ added: number; epochs: number }> {
  const n = await epochs(ctx, archive, knownEpochs);
  let added = 0;
  for (let e = 0; e < n; e++) {
    const dir = join(stateDir, 'archives', sha256(archive).slice(0, 16), `${e}.git`);
    if (!existsSync(join(dir, 'HEAD'))) {
      await mkdir(join(dir, '..'), { recursive: true });
      await git(ctx, ['clone', '--quiet', '--bare', epochUrl(archive, e), dir]);
    } else {
      await git(ctx, ['-C', dir, 'fetch', '--quiet', 'origin', '+refs/heads/*:refs/heads/*']);
    }
    const head = (await git(ctx, ['-C', dir, 'rev-parse', 'HEAD'])).stdout.trim();
    const cursor = store.cursor(archive, e);
    if (cursor === head) continue;
    const commits = (await git(ctx, ['-C', dir, 'rev-list', '--reverse', cursor ? `${cursor}..${head}` : head])).stdout.split('\n').filter(Boolean);
    for (let i = 0; i < commits.length; i += BATCH) {
      const batch = commits.slice(i, i + BATCH);
      const seenAt = Date.now();
      const mails = (await mailBlobs(ctx, dir, batch)).map((raw) => listMessage(raw, archive, seenAt)).filter((m): m is ListMessage => m !== null);
      added += store.addMessages(archive, e, batch[batch.length - 1]!, mails);
    }
  }
  return { added, epochs: n };
}

/**
 * The `m` blob of each commit, through one `git cat-file --batch` for the whole batch (a first clone of a list
 * is hundreds of thousands of commits: not a process each). A v2 epoch commit adds the mail as `m`; a removal
 * (public-inbox-purge, -learn spam) leaves `d` instead, which cat-file reports missing and is skipped.
 */
async function mailBlobs(ctx: Context, dir: string, commits: readonly string[]): Promise<string[]> {
  const r = await execa('git', ['-C', dir, 'cat-file', '--batch'], { env, extendEnv: false, input: commits.map((c) => `${c}:m\n`).join(''), encoding: 'buffer', timeout: GIT_TIMEOUT_MS, cancelSignal: ctx.signal });
  const out = Buffer.from(r.stdout);
  const blobs: string[] = [];
  let at = 0;
  while (at < out.length) {
    const eol = out.indexOf(10, at);
    if (eol < 0) break;
    const header = out.subarray(at, eol).toString();
    at = eol + 1;
    const m = / blob (\d+)$/.exec(header);
    if (!m) continue;
    const size = Number(m[1]);
    blobs.push(out.subarray(at, at + size).toString('utf8'));
    at += size + 1;
  }
  return blobs;
}
