// Reading a patch series as it comes from a mailing list: mbox, single patch or directory; pure parsing.

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
  /** Versions found in the input (several when a thread holds v1 and v2). */
  readonly versions: readonly number[];
  readonly cover: { subject: string; messageId: string | null } | null;
  /** n values of 1..M with no patch in the input. */
  readonly missing: readonly number[];
  /** Messages left out, and why (replies, covers, other versions). */
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

export function parseMessage(raw: string): MailMessage {
  const sep = raw.indexOf('\n\n');
  const head = sep < 0 ? raw : raw.slice(0, sep);
  const body = sep < 0 ? '' : raw.slice(sep + 2);
  const headers = new Map<string, string>();
  let last: string | null = null;
  for (const line of head.split('\n')) {
    if (/^[ \t]/.test(line) && last) {
      headers.set(last, `${headers.get(last)} ${line.trim()}`);
      continue;
    }
    const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
    if (m) {
      last = m[1]!.toLowerCase();
      if (!headers.has(last)) headers.set(last, m[2]!);
    }
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

/**
 * The patches to apply, in order. Covers (0/M or no diff) and replies are left out; with several versions
 * the newest is taken unless `wantVersion` is given. Patches are never identified by their mbox `From <sha>`
 * line: a cover letter and its patches can share it.
 */
export function selectSeries(messages: readonly MailMessage[], wantVersion?: number): SeriesSelection {
  const ignored: Array<{ subject: string; why: string }> = [];
  const candidates: SeriesPatch[] = [];
  let cover: SeriesSelection['cover'] = null;
  const coverByVersion = new Map<number, { subject: string; messageId: string | null }>();
  for (const msg of messages) {
    const subject = msg.headers.get('subject') ?? '(no subject)';
    const info = parseSubject(subject);
    if (info.isReply) {
      ignored.push({ subject, why: 'reply' });
      continue;
    }
    if (info.n === 0 || !hasDiff(msg.body)) {
      coverByVersion.set(info.version, { subject, messageId: messageId(msg) });
      ignored.push({ subject, why: info.n === 0 ? 'cover letter' : 'no diff' });
      continue;
    }
    candidates.push({
      n: info.n ?? 1,
      total: info.total ?? 1,
      version: info.version,
      title: info.title,
      subject,
      messageId: messageId(msg),
      raw: msg.raw,
    });
  }
  const versions = [...new Set(candidates.map((p) => p.version))].sort((a, b) => a - b);
  const version = wantVersion ?? versions.at(-1) ?? 1;
  const chosen = new Map<number, SeriesPatch>();
  for (const p of candidates) {
    if (p.version !== version) {
      ignored.push({ subject: p.subject, why: `version ${p.version} (using v${version})` });
      continue;
    }
    // A resend of the same n/M replaces the earlier one.
    chosen.set(p.n, p);
  }
  const patches = [...chosen.values()].sort((a, b) => a.n - b.n);
  const total = Math.max(0, ...patches.map((p) => p.total));
  const missing: number[] = [];
  for (let i = 1; i <= total; i++) if (!chosen.has(i)) missing.push(i);
  cover = coverByVersion.get(version) ?? null;
  return { patches, version, versions, cover, missing, ignored };
}
