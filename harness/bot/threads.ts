// Mails read off a list archive grouped into posted series: which messages are patches of which version, whether
// a version has all of its n/M, which older versions a newer one supersedes. Pure: the bot's store feeds it rows.
import { hasDiff, parseMessage, parseSubject } from '../kernel/mbox.js';

/** One mail of the archive as the bot keeps it. */
export interface ListMessage {
  readonly msgid: string;
  readonly archive: string;
  readonly subject: string;
  /** The From header as posted, e.g. `Jane Dev <jane@example.org>`. */
  readonly from: string;
  readonly to: string;
  readonly cc: string;
  /** The Date header as ISO 8601 (null when it does not parse). */
  readonly date: string | null;
  readonly inReplyTo: string | null;
  /** References, oldest first. */
  readonly references: readonly string[];
  readonly hasDiff: boolean;
  /** When the bot first read the mail (ms since the epoch): what the settle time counts from. */
  readonly seenAt: number;
}

export interface PostedSeries {
  /** The cover letter's Message-ID, or patch 1/M's when there is no cover letter: the series' key. */
  readonly root: string;
  readonly archive: string;
  readonly version: number;
  readonly total: number;
  readonly title: string;
  readonly from: string;
  /** Author address + normalised title: versions of one series share it. */
  readonly identity: string;
  /** n of the patches present (each once). */
  readonly present: readonly number[];
  readonly complete: boolean;
  /** The last of its mails to arrive (seenAt). */
  readonly lastSeenAt: number;
  readonly date: string | null;
}

const ids = (v: string | undefined): string[] => (v ?? '').match(/<[^<>\s]+>/g)?.map((x) => x.slice(1, -1)) ?? [];

/** A raw mail (as stored in the archive's git: the `m` blob) to a ListMessage; null without a Message-ID. */
export function listMessage(raw: string, archive: string, seenAt: number): ListMessage | null {
  const m = parseMessage(raw.replace(/\r\n/g, '\n'));
  const msgid = ids(m.headers.get('message-id'))[0];
  if (!msgid) return null;
  const date = m.headers.get('date');
  const parsed = date ? Date.parse(date) : NaN;
  return {
    msgid,
    archive,
    subject: m.headers.get('subject') ?? '',
    from: m.headers.get('from') ?? '',
    to: m.headers.get('to') ?? '',
    cc: m.headers.get('cc') ?? '',
    date: Number.isNaN(parsed) ? null : new Date(parsed).toISOString(),
    inReplyTo: ids(m.headers.get('in-reply-to'))[0] ?? null,
    references: ids(m.headers.get('references')),
    hasDiff: hasDiff(m.body),
    seenAt,
  };
}

/** `Jane Dev <Jane@Example.org>` -> `jane@example.org`. */
export function addressOf(from: string): string {
  return (/<([^<>]+)>/.exec(from)?.[1] ?? from).trim().toLowerCase();
}

interface PatchMail {
  readonly m: ListMessage;
  readonly version: number;
  readonly n: number;
  readonly total: number;
  readonly title: string;
}

function patchMail(m: ListMessage): PatchMail | null {
  const s = parseSubject(m.subject);
  if (s.isReply || !s.isPatch) return null;
  if (s.n === null || s.total === null) return m.hasDiff ? { m, version: s.version, n: 1, total: 1, title: s.title } : null;
  if (s.n > s.total || s.total === 0) return null;
  // A numbered mail without a diff is only a cover letter at 0/M.
  if (s.n > 0 && !m.hasDiff) return null;
  return { m, version: s.version, n: s.n, total: s.total, title: s.title };
}

/**
 * Every series in the messages. A patch belongs to the nearest message it answers (In-Reply-To, then References
 * newest first) that is the cover letter (0/M) or patch 1/M of the same version and size (not necessarily from the
 * same address: a series of several authors' patches may be posted with each author's From);
 * patch 1/M with neither is its own root, and so is a cover letter. Patches whose root is not there yet wait.
 */
export function groupSeries(messages: readonly ListMessage[]): PostedSeries[] {
  const patches = new Map<string, PatchMail>();
  for (const m of messages) {
    const p = patchMail(m);
    if (p) patches.set(m.msgid, p);
  }
  const rootOf = (p: PatchMail): PatchMail | null => {
    if (p.n === 0) return p;
    const chain = [p.m.inReplyTo, ...[...p.m.references].reverse()].filter((x): x is string => x !== null);
    const same = (q: PatchMail | undefined) => q && q.version === p.version && q.total === p.total;
    const cover = chain.map((id) => patches.get(id)).find((q) => same(q) && q!.n === 0);
    if (cover) return cover;
    if (p.n === 1) return p;
    return chain.map((id) => patches.get(id)).find((q) => same(q) && q!.n === 1) ?? null;
  };
  const groups = new Map<string, { root: PatchMail; members: PatchMail[] }>();
  for (const p of patches.values()) {
    const root = rootOf(p);
    if (!root) continue;
    const g = groups.get(root.m.msgid) ?? { root, members: [] };
    g.members.push(p);
    groups.set(root.m.msgid, g);
  }
  return [...groups.values()].map(({ root, members }) => {
    const present = [...new Set(members.filter((p) => p.n > 0).map((p) => p.n))].sort((a, b) => a - b);
    return {
      root: root.m.msgid,
      archive: root.m.archive,
      version: root.version,
      total: root.total,
      title: root.title,
      from: root.m.from,
      identity: `${addressOf(root.m.from)}\n${normaliseTitle(root.title)}`,
      present,
      complete: present.length === root.total,
      lastSeenAt: Math.max(...members.map((p) => p.m.seenAt)),
      date: root.m.date,
    };
  });
}

/** Titles of two versions of a series compare equal when they differ only in case and blanks. */
export function normaliseTitle(title: string): string {
  return title.toLowerCase().replace(/\s+/g, ' ').trim();
}

/** The complete series that a newer complete version of the same series (same identity) supersedes, by root. */
export function superseded(series: readonly PostedSeries[]): Map<string, PostedSeries> {
  const newest = new Map<string, PostedSeries>();
  for (const s of series) {
    if (!s.complete) continue;
    const cur = newest.get(s.identity);
    if (!cur || s.version > cur.version || (s.version === cur.version && s.lastSeenAt > cur.lastSeenAt)) newest.set(s.identity, s);
  }
  const out = new Map<string, PostedSeries>();
  for (const s of series) {
    const n = newest.get(s.identity);
    if (n && n.root !== s.root && (n.version > s.version || (n.version === s.version && n.lastSeenAt > s.lastSeenAt))) out.set(s.root, n);
  }
  return out;
}
