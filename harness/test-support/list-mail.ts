// Patch series as a mailing list carries them, for the bot's end-to-end test: commits of a real git history
// turned into `git format-patch` mails with the headers git send-email adds (numbered subjects, Message-IDs,
// threading to the cover letter, which carries the base-commit: trailer of format-patch --base).
import { execa } from 'execa';
import { mailDate } from '../bot/reply.js';

export interface SeriesMails {
  readonly coverId: string;
  readonly ids: readonly string[];
  /** Cover letter first, then patch 1..M, each a raw RFC 5322 message. */
  readonly mails: readonly string[];
}

export interface SeriesPost {
  /** The repository holding the commits and the commits in order. */
  readonly repo: string;
  readonly commits: readonly string[];
  readonly version: number;
  readonly title: string;
  readonly body: string;
  readonly baseCommit: string;
  readonly from: string;
  readonly to: string;
  readonly date: Date;
  /** Message-IDs are `<prefix>-<n>@sea-harness.invalid` (0: the cover). */
  readonly idPrefix: string;
  /** Sent in reply to an earlier version's cover letter (git send-email --in-reply-to). */
  readonly inReplyTo?: { readonly id: string; readonly references: readonly string[] };
}

export async function seriesMails(p: SeriesPost): Promise<SeriesMails> {
  const m = p.commits.length;
  const tag = p.version === 1 ? 'PATCH' : `PATCH v${p.version}`;
  const id = (n: number) => `${p.idPrefix}-${n}@sea-harness.invalid`;
  const upRefs = p.inReplyTo ? [...p.inReplyTo.references, p.inReplyTo.id] : [];
  const head = (n: number, subject: string, replyTo: string | null, refs: readonly string[]) =>
    [
      `From: ${p.from}`,
      `To: ${p.to}`,
      `Subject: ${subject}`,
      `Date: ${mailDate(new Date(p.date.getTime() + n * 1000))}`,
      `Message-ID: <${id(n)}>`,
      ...(replyTo ? [`In-Reply-To: <${replyTo}>`, `References: ${refs.map((r) => `<${r}>`).join(' ')}`] : []),
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=UTF-8',
      'Content-Transfer-Encoding: 8bit',
    ].join('\n');
  const cover = `${head(0, `[${tag} 0/${m}] ${p.title}`, p.inReplyTo?.id ?? null, upRefs)}\n\n${p.body.trimEnd()}\n\n${await shortlog(p)}\nbase-commit: ${p.baseCommit}\n-- \n2.39.5\n`;
  const patches: string[] = [];
  for (const [i, c] of p.commits.entries()) {
    const raw = String((await execa('git', ['-C', p.repo, 'format-patch', '-1', '--stdout', '--no-signature', c])).stdout);
    const sep = raw.indexOf('\n\n');
    const subject = /^Subject: \[PATCH\] (.*(?:\n[ \t].*)*)/m.exec(raw.slice(0, sep))?.[1]?.replace(/\n[ \t]+/g, ' ') ?? c;
    patches.push(`${head(i + 1, `[${tag} ${i + 1}/${m}] ${subject}`, id(0), [...upRefs, id(0)])}\n\n${raw.slice(sep + 2)}`);
  }
  return { coverId: id(0), ids: p.commits.map((_, i) => id(i + 1)), mails: [cover, ...patches] };
}

async function shortlog(p: SeriesPost): Promise<string> {
  const r = await execa('git', ['-C', p.repo, 'diff', '--stat', `${p.commits[0]}^`, p.commits[p.commits.length - 1]!]);
  return String(r.stdout).trimEnd() + '\n';
}
