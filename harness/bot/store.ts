// The bot's persistent state in one SQLite database (better-sqlite3, WAL, synchronous=FULL): the mails read off
// each archive with the git cursor of each epoch, the jobs with their state and attempts, the per-case flake
// history and an event log. Every change is one transaction, so a bot killed at any point (SIGKILL included)
// restarts from a consistent state: no mail lost, no job tested twice.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ListMessage } from './threads.js';
import type { FlakeCount, JobState } from './schedule.js';

export interface JobRow {
  readonly root: string;
  readonly archive: string;
  readonly version: number;
  readonly title: string;
  readonly from: string;
  readonly state: JobState;
  /** Runs of ci started for this job (interrupted ones included). */
  readonly attempts: number;
  readonly infraFailures: number;
  readonly pid: number | null;
  readonly outDir: string | null;
  readonly exitCode: number | null;
  readonly verdict: string | null;
  readonly supersededBy: string | null;
  readonly reason: string | null;
  readonly replyMessageId: string | null;
  readonly deliveredAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS messages (
  msgid TEXT PRIMARY KEY, archive TEXT NOT NULL, subject TEXT NOT NULL, from_ TEXT NOT NULL, to_ TEXT NOT NULL, cc_ TEXT NOT NULL,
  date TEXT, in_reply_to TEXT, refs TEXT NOT NULL, has_diff INTEGER NOT NULL, seen_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS cursors (archive TEXT NOT NULL, epoch INTEGER NOT NULL, commit_ TEXT NOT NULL, PRIMARY KEY (archive, epoch));
CREATE TABLE IF NOT EXISTS jobs (
  root TEXT PRIMARY KEY, archive TEXT NOT NULL, version INTEGER NOT NULL, title TEXT NOT NULL, from_ TEXT NOT NULL,
  state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, infra_failures INTEGER NOT NULL DEFAULT 0, pid INTEGER,
  out_dir TEXT, exit_code INTEGER, verdict TEXT, superseded_by TEXT, reason TEXT, reply_message_id TEXT, delivered_at TEXT,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS flakes (case_name TEXT PRIMARY KEY, runs INTEGER NOT NULL, flaked INTEGER NOT NULL, last_flaked TEXT);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, root TEXT, what TEXT NOT NULL);
`;

type Row = Record<string, unknown>;

export class BotStore {
  private readonly db: Database.Database;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 10000');
    this.db.exec(SCHEMA);
  }

  close(): void {
    this.db.close();
  }

  /** New mails and the epoch's new cursor in one transaction: a crash between them cannot lose or repeat a mail. */
  addMessages(archive: string, epoch: number, commit: string, messages: readonly ListMessage[]): number {
    const insert = this.db.prepare(
      'INSERT OR IGNORE INTO messages (msgid, archive, subject, from_, to_, cc_, date, in_reply_to, refs, has_diff, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const cursor = this.db.prepare('INSERT INTO cursors (archive, epoch, commit_) VALUES (?, ?, ?) ON CONFLICT (archive, epoch) DO UPDATE SET commit_ = excluded.commit_');
    return this.db.transaction(() => {
      let added = 0;
      for (const m of messages) added += insert.run(m.msgid, m.archive, m.subject, m.from, m.to, m.cc, m.date, m.inReplyTo, JSON.stringify(m.references), m.hasDiff ? 1 : 0, m.seenAt).changes;
      cursor.run(archive, epoch, commit);
      return added;
    })();
  }

  cursor(archive: string, epoch: number): string | null {
    const r = this.db.prepare('SELECT commit_ FROM cursors WHERE archive = ? AND epoch = ?').get(archive, epoch) as Row | undefined;
    return (r?.commit_ as string | undefined) ?? null;
  }

  messages(): ListMessage[] {
    return (this.db.prepare('SELECT * FROM messages').all() as Row[]).map(toMessage);
  }

  message(msgid: string): ListMessage | null {
    const r = this.db.prepare('SELECT * FROM messages WHERE msgid = ?').get(msgid) as Row | undefined;
    return r ? toMessage(r) : null;
  }

  /** A job for a series, unless one exists (a series is tested once, ever): true when this call made it. */
  addJob(j: { root: string; archive: string; version: number; title: string; from: string; state: 'queued' | 'superseded'; supersededBy?: string }): boolean {
    const now = new Date().toISOString();
    return this.db.transaction(() => {
      const added = this.db
        .prepare('INSERT OR IGNORE INTO jobs (root, archive, version, title, from_, state, superseded_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(j.root, j.archive, j.version, j.title, j.from, j.state, j.supersededBy ?? null, now, now).changes;
      if (added) this.event(j.root, j.state === 'queued' ? `queued v${j.version} "${j.title}"` : `v${j.version} superseded by <${j.supersededBy}>, not tested`);
      return added === 1;
    })();
  }

  jobs(): JobRow[] {
    return (this.db.prepare('SELECT * FROM jobs ORDER BY created_at, root').all() as Row[]).map(toJob);
  }

  job(root: string): JobRow | null {
    const r = this.db.prepare('SELECT * FROM jobs WHERE root = ?').get(root) as Row | undefined;
    return r ? toJob(r) : null;
  }

  /** Move a job on, with an event line; `from` guards against two workers taking one job. */
  update(root: string, from: JobState | null, fields: Partial<Record<'state' | 'attempts' | 'infra_failures' | 'pid' | 'out_dir' | 'exit_code' | 'verdict' | 'superseded_by' | 'reason' | 'reply_message_id' | 'delivered_at', string | number | null>>, what: string): boolean {
    const keys = Object.keys(fields);
    const sets = [...keys.map((k) => `${k} = @${k}`), 'updated_at = @updated_at'].join(', ');
    return this.db.transaction(() => {
      const changed = this.db.prepare(`UPDATE jobs SET ${sets} WHERE root = @root${from ? ' AND state = @from' : ''}`).run({ ...fields, updated_at: new Date().toISOString(), root, ...(from ? { from } : {}) }).changes;
      if (changed) this.event(root, what);
      return changed === 1;
    })();
  }

  event(root: string | null, what: string): void {
    this.db.prepare('INSERT INTO events (at, root, what) VALUES (?, ?, ?)').run(new Date().toISOString(), root, what);
  }

  events(root?: string): Array<{ at: string; root: string | null; what: string }> {
    const rows = (root ? this.db.prepare('SELECT at, root, what FROM events WHERE root = ? ORDER BY id').all(root) : this.db.prepare('SELECT at, root, what FROM events ORDER BY id').all()) as Row[];
    return rows.map((r) => ({ at: r.at as string, root: (r.root as string | null) ?? null, what: r.what as string }));
  }

  flakes(): Map<string, FlakeCount & { lastFlaked: string | null }> {
    return new Map((this.db.prepare('SELECT * FROM flakes').all() as Row[]).map((r) => [r.case_name as string, { runs: r.runs as number, flaked: r.flaked as number, lastFlaked: (r.last_flaked as string | null) ?? null }]));
  }

  /** A setting fixed at the first start (e.g. `since`): the stored value, else `value` stored now. */
  meta(key: string, value: string): string {
    this.db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(key, value);
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as Row).value as string;
  }

  /** One ci's cases into the flake history, in the transaction that records its verdict (`apply`). */
  recordVerdict(cases: ReadonlyArray<{ name: string; count: FlakeCount; flaky: boolean }>, apply: () => void): void {
    const upsert = this.db.prepare(
      'INSERT INTO flakes (case_name, runs, flaked, last_flaked) VALUES (?, ?, ?, ?) ON CONFLICT (case_name) DO UPDATE SET runs = excluded.runs, flaked = excluded.flaked, last_flaked = COALESCE(excluded.last_flaked, flakes.last_flaked)',
    );
    this.db.transaction(() => {
      for (const c of cases) upsert.run(c.name, c.count.runs, c.count.flaked, c.flaky ? new Date().toISOString() : null);
      apply();
    })();
  }
}

function toMessage(r: Row): ListMessage {
  return {
    msgid: r.msgid as string,
    archive: r.archive as string,
    subject: r.subject as string,
    from: r.from_ as string,
    to: r.to_ as string,
    cc: r.cc_ as string,
    date: (r.date as string | null) ?? null,
    inReplyTo: (r.in_reply_to as string | null) ?? null,
    references: JSON.parse(r.refs as string) as string[],
    hasDiff: r.has_diff === 1,
    seenAt: r.seen_at as number,
  };
}

function toJob(r: Row): JobRow {
  return {
    root: r.root as string,
    archive: r.archive as string,
    version: r.version as number,
    title: r.title as string,
    from: r.from_ as string,
    state: r.state as JobState,
    attempts: r.attempts as number,
    infraFailures: r.infra_failures as number,
    pid: (r.pid as number | null) ?? null,
    outDir: (r.out_dir as string | null) ?? null,
    exitCode: (r.exit_code as number | null) ?? null,
    verdict: (r.verdict as string | null) ?? null,
    supersededBy: (r.superseded_by as string | null) ?? null,
    reason: (r.reason as string | null) ?? null,
    replyMessageId: (r.reply_message_id as string | null) ?? null,
    deliveredAt: (r.delivered_at as string | null) ?? null,
    createdAt: r.created_at as string,
    updatedAt: r.updated_at as string,
  };
}
