// A series fetched from a public-inbox archive by Message-ID with b4 (Debian's package), driven by its own
// options and a private git configuration whose b4.midmask points at the archive: b4 fetches the thread
// (<archive>/<msgid>/t.mbox.gz), picks the newest complete revision (or -v N), folds in follow-up trailers and
// writes the patches and the cover letter, which become a --series directory.
import { mkdir, mkdtemp, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from '../util/context.js';
import { HarnessError, UsageError, tailLines } from '../util/errors.js';
import { run } from '../util/exec.js';
import { sha256 } from '../util/hash.js';
import { baseCommitOf } from './base-choice.js';
import { messageUrl } from './series-ref.js';

export interface FetchedSeries {
  /** A directory of 0000-cover.eml (when there is one) and series.mbox: what --series PATH takes. */
  readonly dir: string;
  readonly msgid: string;
  readonly archive: string;
  readonly url: string;
  readonly baseCommit: string | null;
  /** b4's own account of what it did (revisions seen, trailers added), also in dir/b4.log. */
  readonly b4Log: string;
}

const B4_TIMEOUT_MS = 5 * 60_000;

/** The git configuration b4 reads, as GIT_CONFIG_* variables: nothing of the user's ~/.gitconfig leaks in. */
export function b4Environment(archive: string, home: string): Record<string, string> {
  const config: Array<[string, string]> = [
    // %s is the Message-ID; b4 adds t.mbox.gz for the thread.
    ['b4.midmask', `${archive.replace(/\/+$/, '')}/%s`],
    ['b4.linkmask', `${archive.replace(/\/+$/, '')}/%s`],
    // DKIM attestation needs DNS and says nothing about what a patch does to the kernel: off.
    ['b4.attestation-policy', 'off'],
    // b4 am reads the user's identity while it prepares the patches and stops (exit 1, no message) without it.
    ['user.name', 'sea-harness'],
    ['user.email', 'sea-harness@localhost'],
  ];
  return {
    HOME: home,
    XDG_CACHE_HOME: join(home, 'cache'),
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CONFIG_HOME: join(home, 'config'),
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    GIT_CONFIG_COUNT: String(config.length),
    ...Object.fromEntries(config.flatMap(([k, v], i) => [[`GIT_CONFIG_KEY_${i}`, k], [`GIT_CONFIG_VALUE_${i}`, v]])),
  };
}

export async function fetchSeries(ctx: Context, opts: { msgid: string; archive: string; version?: number }): Promise<FetchedSeries> {
  const root = join(ctx.cacheDir, 'intake', sha256(`${opts.archive}\n${opts.msgid}`).slice(0, 16));
  await mkdir(root, { recursive: true });
  const dir = await mkdtemp(join(root, `${new Date().toISOString().replace(/[:.]/g, '-')}-`));
  const home = join(dir, '.b4-home');
  await mkdir(home, { recursive: true });
  await mkdir(join(dir, 'b4'));
  const url = messageUrl(opts.archive, opts.msgid);
  const args = ['am', '--no-cache', '--outdir', join(dir, 'b4'), '--mbox-name', 'series', ...(opts.version ? ['--use-version', String(opts.version)] : []), opts.msgid];
  const r = await run(ctx, 'b4', args, { stage: 'source', env: b4Environment(opts.archive, home), timeoutMs: B4_TIMEOUT_MS, reject: false, logPath: join(dir, 'b4.log') });
  const b4Log = `${r.stdout}\n${r.stderr}`.trim();
  const files = await readdir(join(dir, 'b4')).catch(() => [] as string[]);
  const mbx = files.find((f) => f.endsWith('.mbx'));
  if (r.exitCode !== 0 || !mbx) {
    const message = `b4 could not fetch a series for <${opts.msgid}> from ${opts.archive}: ${r.exitCode !== 0 ? `exit ${r.exitCode}` : 'no patches in the thread'}`;
    const command = ['b4', ...args];
    // The archive not answering is the machine's problem (exit 3); a thread without patches is the input's (exit 2).
    if (unreachable(b4Log)) {
      throw new HarnessError(message, { stage: 'source', command, outputTail: tailLines(b4Log, 15), logPath: join(dir, 'b4.log'), hint: `the archive did not answer: check --archive ${opts.archive} (a public-inbox URL such as https://lore.kernel.org/all) and that ${url} opens` });
    }
    throw new UsageError(message, `check that ${url} is a patch mail or the cover letter of a series (b4 found: ${tailLines(b4Log, 3).replace(/\n/g, ' | ')})`, { command, logPath: join(dir, 'b4.log') });
  }
  const cover = files.find((f) => f.endsWith('.cover'));
  const patches = await readFile(join(dir, 'b4', mbx), 'utf8');
  const coverText = cover ? await readFile(join(dir, 'b4', cover), 'utf8') : null;
  await rename(join(dir, 'b4', mbx), join(dir, 'series.mbox'));
  if (coverText !== null) await writeFile(join(dir, '0000-cover.eml'), coverText);
  return { dir, msgid: opts.msgid, archive: opts.archive, url, baseCommit: baseCommitOf(coverText ? [coverText, patches] : [patches]), b4Log };
}

function unreachable(log: string): boolean {
  // b4 says "That message-id is not known." for a 404: the input's problem, not the archive's.
  return /Connection refused|Name or service not known|Max retries exceeded|timed out|HTTPConnectionPool|Failed to establish|Temporary failure in name resolution/i.test(log);
}
