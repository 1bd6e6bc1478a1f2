// Reading a patch series as it comes from a mailing list: mbox, single patch or directory; pure parsing.
import libmime from 'libmime';

export interface MailMessage {
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
  /** The message as git am takes it (headers + body). */
  readonly raw: string;
}

export interface SeriesPatch {
  /** n of n/M (1 for a lone patch). */
  readonly n: number;
  readonly total: number;
  readonly version: number;
  /** The subject without the [PATCH ...] prefix. */
  readonly title: string;
  readonly subject: string;
  readonly messageId: string | null;
  readonly raw: string;
}

export interface SeriesSelection {
  readonly patches: readonly SeriesPatch[];
  readonly version: number;
  /** Versions found in the input (several when a thread holds v1 and v2): those with a patch or a cover letter. */
  readonly versions: readonly number[];
  /** The versions whose patches 1..M are all in the input. */
  readonly complete: readonly number[];
  readonly cover: { subject: string; messageId: string | null } | null;
  /** How many patches the chosen version announces: the largest M of its n/M subjects, its cover letter's included. */
  readonly total: number;
  /** n values of 1..M with no patch in the input: the series cannot be applied as posted. */
  readonly missing: readonly number[];
  /** Messages left out, and why (replies, covers, other versions, duplicates, mails without a diff). */
  readonly ignored: ReadonlyArray<{ subject: string; why: string }>;
}

/** A line that starts a message in an mbox: `From <sha> Mon Sep 17 00:00:00 2001`, `From mboxrd@z Thu Jan  1 ...`. */
const FROM_LINE = /^From \S+ +(Mon|Tue|Wed|Thu|Fri|Sat|Sun) .*\d{4}\s*$/;

export function splitMbox(text: string): string[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const messages: string[][] = [];
  let current: string[] | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const atBoundary = i === 0 || lines[i - 1] === '';
    if (FROM_LINE.test(line) && atBoundary) {
      current = [];
      messages.push(current);
      continue;
    }
    if (!current) {
      // A lone patch or mail without an mbox From line.
      current = [];
      messages.push(current);
    }
    // mboxrd quoting: ">From " and ">>From " lose one '>'.
    current.push(/^>+From /.test(line) ? line.slice(1) : line);
  }
  return messages.map((m) => m.join('\n').trimEnd() + '\n').filter((m) => m.trim() !== '');
}

/** The first line of a header field: a name of printable ASCII but the colon (RFC 5322 ftext), then a colon. */
const FIELD = /^[!-9;-~]+:/;
/** A folded header continues on lines that start with a blank (RFC 5322 2.2.3). */
const CONTINUATION = /^[ \t]/;

/**
 * Headers and body of one message. The header block (up to the first blank line) is unfolded by libmime and every
 * value's RFC 2047 encoded-words are decoded, in any charset (`=?UTF-8?q?...?=`, `=?ISO-8859-1?B?...?=`); lines
 * that are not header fields, and their continuations, are dropped. The body and `raw` stay as they came: git am
 * decodes them itself (git mailinfo), and a patch must reach it byte for byte.
 */
export function parseMessage(raw: string): MailMessage {
  const sep = raw.indexOf('\n\n');
  const head = sep < 0 ? raw : raw.slice(0, sep);
  const body = sep < 0 ? '' : raw.slice(sep + 2);
  const kept: string[] = [];
  let inField = false;
  for (const line of head.split('\n')) {
    if (CONTINUATION.test(line)) {
      if (inField) kept.push(line);
      continue;
    }
    inField = FIELD.test(line);
    if (inField) kept.push(line);
  }
  const headers = new Map<string, string>();
  for (const [name, values] of Object.entries(libmime.decodeHeaders(kept.join('\n'), { skipPrototypeKeys: true }))) {
    const first = values[0];
    if (first !== undefined) headers.set(name, libmime.decodeWords(first).trim());
  }
  return { headers, body, raw };
}

export interface SubjectInfo {
  readonly isReply: boolean;
  readonly isPatch: boolean;
  readonly version: number;
  readonly n: number | null;
  readonly total: number | null;
  readonly title: string;
}

/** `Re: [RFC PATCH v2 3/6] KVM: ...` -> reply, version 2, 3 of 6, title. */
export function parseSubject(subject: string): SubjectInfo {
  let s = subject.trim();
  const isReply = /^(re|aw|sv)\s*:/i.test(s);
  s = s.replace(/^((re|aw|sv|fwd?)\s*:\s*)+/i, '');
  let isPatch = false;
  let version = 1;
  let n: number | null = null;
  let total: number | null = null;
  for (;;) {
    const m = /^\[([^\]]*)\]\s*/.exec(s);
    if (!m) break;
    const tag = m[1]!;
    if (/\bPATCH\b/i.test(tag)) isPatch = true;
    const v = /(?:^|[\s-])v(\d+)\b/i.exec(tag);
    if (v) version = Number(v[1]);
    const nm = /(\d+)\/(\d+)/.exec(tag);
    if (nm) {
      n = Number(nm[1]);
      total = Number(nm[2]);
    }
    s = s.slice(m[0].length);
  }
  return { isReply, isPatch, version, n, total, title: s.trim() };
}

/** A diff of its own: `diff --git` or a ---/+++ pair at the start of a line, not quoted with `>`. */
export function hasDiff(body: string): boolean {
  return /^diff --git /m.test(body) || (/^--- (a\/|\/dev\/null)/m.test(body) && /^\+\+\+ (b\/|\/dev\/null)/m.test(body));
}

function messageId(msg: MailMessage): string | null {
  const id = msg.headers.get('message-id');
  return id ? id.trim().replace(/^<|>$/g, '') : null;
}

interface Candidate extends SeriesPatch {
  /** Whether the subject said n/M (a lone `[PATCH]` does not). */
  readonly numbered: boolean;
  /** The Date header in ms, NaN when absent or unreadable. */
  readonly date: number;
  readonly index: number;
}

/** Of two copies of one n/M, the one to keep: the earlier by Date when both have one, else the earlier in the input. */
function earlier(a: Candidate, b: Candidate): Candidate {
  if (!Number.isNaN(a.date) && !Number.isNaN(b.date) && a.date !== b.date) return a.date < b.date ? a : b;
  return a.index <= b.index ? a : b;
}

/**
 * Lone `[PATCH]` mails of one version (a directory of `git format-patch -N` files) are distinct patches in input
 * order, numbered 1..k; one sent twice (the same title) is one patch. In a numbered series they are left out.
 */
function numberLonePatches(candidates: readonly Candidate[], ignored: Array<{ subject: string; why: string }>): Candidate[] {
  const numberedVersions = new Set(candidates.filter((c) => c.numbered).map((c) => c.version));
  const titles = new Map<number, string[]>();
  const out: Candidate[] = [];
  for (const c of candidates) {
    if (c.numbered) {
      out.push(c);
      continue;
    }
    if (numberedVersions.has(c.version)) {
      ignored.push({ subject: c.subject, why: `no n/M in a numbered series (v${c.version})` });
      continue;
    }
    const seen = titles.get(c.version) ?? [];
    titles.set(c.version, seen);
    if (!seen.includes(c.title)) seen.push(c.title);
    out.push({ ...c, n: seen.indexOf(c.title) + 1 });
  }
  return out.map((c) => (c.numbered ? c : { ...c, total: titles.get(c.version)!.length }));
}

/**
 * The patches to apply, in order, as b4 picks them from a thread: replies (`Re:`) and cover letters (0/M) are
 * not patches, nor is a mail without a diff of its own; with several versions the newest one (a version with
 * only its cover letter counts) is taken unless `wantVersion` is given; of two copies of one n/M the earlier is
 * kept. Whether the version is whole is data (`missing`, `complete`): refusing an incomplete one is the caller's
 * rule. Patches are never identified by their mbox `From <sha>` line: a cover letter and its patches can share it.
 */
export function selectSeries(messages: readonly MailMessage[], wantVersion?: number): SeriesSelection {
  const ignored: Array<{ subject: string; why: string }> = [];
  const found: Candidate[] = [];
  const coverByVersion = new Map<number, { subject: string; messageId: string | null; total: number }>();
  /** The largest M each version's mails announce, covers and mails without a diff included. */
  const announced = new Map<number, number>();
  messages.forEach((msg, index) => {
    const subject = msg.headers.get('subject');
    if (subject === undefined) {
      ignored.push({ subject: '(no subject)', why: 'not a mail: no Subject header' });
      return;
    }
    const info = parseSubject(subject);
    if (info.isReply) {
      ignored.push({ subject, why: 'reply' });
      return;
    }
    if (info.total !== null) announced.set(info.version, Math.max(announced.get(info.version) ?? 0, info.total));
    if (info.n === 0) {
      if (!coverByVersion.has(info.version)) coverByVersion.set(info.version, { subject, messageId: messageId(msg), total: info.total ?? 0 });
      ignored.push({ subject, why: 'cover letter' });
      return;
    }
    if (!hasDiff(msg.body)) {
      ignored.push({ subject, why: 'no diff' });
      return;
    }
    found.push({
      n: info.n ?? 1,
      total: info.total ?? 1,
      version: info.version,
      title: info.title,
      subject,
      messageId: messageId(msg),
      raw: msg.raw,
      numbered: info.n !== null,
      date: Date.parse(msg.headers.get('date') ?? ''),
      index,
    });
  });
  const candidates = numberLonePatches(found, ignored);
  const versions = [...new Set([...candidates.map((p) => p.version), ...coverByVersion.keys()])].sort((a, b) => a - b);
  const version = wantVersion ?? versions.at(-1) ?? 1;
  const totalOf = (v: number) => Math.max(announced.get(v) ?? 0, ...candidates.filter((p) => p.version === v).map((p) => p.total));
  const missingOf = (v: number) => {
    const have = new Set(candidates.filter((p) => p.version === v).map((p) => p.n));
    const missing: number[] = [];
    for (let i = 1; i <= totalOf(v); i++) if (!have.has(i)) missing.push(i);
    return missing;
  };
  const chosen = new Map<number, Candidate>();
  const duplicates: Candidate[] = [];
  for (const p of candidates) {
    if (p.version !== version) {
      ignored.push({ subject: p.subject, why: `version ${p.version} (using v${version})` });
      continue;
    }
    const other = chosen.get(p.n);
    if (other) duplicates.push(earlier(other, p) === other ? p : other);
    chosen.set(p.n, other ? earlier(other, p) : p);
  }
  for (const d of duplicates) {
    const kept = chosen.get(d.n)!;
    ignored.push({ subject: d.subject, why: `duplicate of v${version} ${d.n}/${d.total} (kept ${kept.messageId ? `<${kept.messageId}>` : 'the earlier'})` });
  }
  const patches = [...chosen.values()].sort((a, b) => a.n - b.n).map(({ numbered: _n, date: _d, index: _i, ...p }) => p);
  const cover = coverByVersion.get(version);
  return {
    patches,
    version,
    versions,
    complete: versions.filter((v) => candidates.some((p) => p.version === v) && missingOf(v).length === 0),
    cover: cover ? { subject: cover.subject, messageId: cover.messageId } : null,
    total: totalOf(version),
    missing: missingOf(version),
    ignored,
  };
}

/** `2/3`, `1/3, 3/3`: patches as n/M. */
const counters = (ns: readonly number[], total: number) => ns.map((n) => `${n}/${total}`).join(', ');

/**
 * Why the chosen version cannot be applied as posted, or null when it is whole: "series v2 is missing patch 2/3
 * (have 1/3, 3/3)", with the older versions that are whole.
 */
export function describeGap(sel: Pick<SeriesSelection, 'version' | 'patches' | 'total' | 'missing' | 'complete'>): string | null {
  if (sel.missing.length === 0) return null;
  const have = sel.patches.length ? sel.patches.map((p) => `${p.n}/${p.total}`).join(', ') : 'none';
  const older = sel.complete.filter((v) => v !== sel.version);
  const whole = older.length ? `; ${older.map((v) => `v${v}`).join(', ')} ${older.length > 1 ? 'are' : 'is'} complete (--series-version ${older.at(-1)} takes it)` : '';
  return `series v${sel.version} is missing patch${sel.missing.length > 1 ? 'es' : ''} ${counters(sel.missing, sel.total)} (have ${have})${whole}`;
}
