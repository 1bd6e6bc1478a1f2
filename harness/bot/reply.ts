// The bot's reply to a posted series (pure): a ci result as the plain-text mail kernel lists expect from robots
// (0-day, syzbot, CKI): the verdict first, a fixed-width table per patch, each regression with its failure, how
// to reproduce, and the bot after the signature separator; lines wrapped for 80-column mail readers.
import { createHash } from 'node:crypto';
import addressparser from 'nodemailer/lib/addressparser/index.js';
import type { MailMessage } from '../kernel/mbox.js';
import type { CaseComparison, CiResult, PatchReport } from '../model/ci.js';
import type { Verdict } from '../model/result.js';
import { unrunLabel } from '../coverage/text.js';
import { UsageError } from '../util/errors.js';

export interface MailAddress {
  readonly name: string;
  readonly address: string;
}

/** The message the reply answers: the cover letter, or the first patch of a series without one. */
export interface PostedMessage {
  /** Without angle brackets. */
  readonly messageId: string;
  readonly subject: string;
  readonly from: MailAddress;
  readonly date: string;
  /** Its References header's ids (without angle brackets), oldest first. */
  readonly references: readonly string[];
  readonly to: readonly MailAddress[];
  readonly cc: readonly MailAddress[];
}

/** What the bot remembers of a case across jobs. */
export interface FlakeHistory {
  readonly runs: number;
  readonly flaked: number;
  /** When it last flaked, as the bot wrote it down (null: never). */
  readonly lastSeen: string | null;
}

export interface BotIdentity {
  readonly name: string;
  readonly address: string;
  /** Where the results and artifacts are: a URL, or text (a directory on the bot's host). */
  readonly results: string;
}

export interface ReplyInput {
  readonly result: CiResult;
  readonly posted: PostedMessage;
  readonly bot: BotIdentity;
  /** The bot's id for this ci job: the reply's Message-ID derives from it, so a re-sent reply keeps its id. */
  readonly jobId: string;
  /** The command line that reproduces the run; one command per line. */
  readonly reproduce: string;
  /** By case name. */
  readonly flakes: Readonly<Record<string, FlakeHistory>>;
  /** The version tested, as the subjects number it (`v2`). */
  readonly version: string;
  /** Earlier versions of the series this one replaces (`['v1']`). */
  readonly superseded?: readonly string[];
  /** When the reply is written: the Date header (given, so the mail is a function of its input). */
  readonly now: Date;
  /** Whether the bot will only write the mail, not send it: no effect on the content. */
  readonly dryRun?: boolean;
}

export interface ReplyMail {
  /** With angle brackets, like every id below. */
  readonly messageId: string;
  readonly from: MailAddress;
  readonly to: readonly MailAddress[];
  readonly cc: readonly MailAddress[];
  readonly subject: string;
  readonly inReplyTo: string;
  readonly references: readonly string[];
  /** RFC 5322 date-time. */
  readonly date: string;
  readonly text: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** Prose and tables fill 72 columns, as git and the robots do; quoted output breaks there too. */
export const WIDTH = 72;
const FRAMES = 6;
const LISTED = 10;
const EXCERPT_LINES = 12;

/**
 * The longest line that still leaves a mail 7bit: nodemailer quoted-printable-encodes text with a longer one
 * (mail.ts), and RFC 5322 asks for at most 78.
 */
export const MAIL_LINE = 76;

/**
 * Word wrap at `width`. A word that fits no line (a URL, a path) gets a line of its own; with `hard`, it is cut
 * where its line would pass `hard` columns (quoted output, never commands), unless it is a URL: a URL cut in two
 * cannot be followed, a longer line only costs the mail its 7bit encoding.
 */
export function wrap(text: string, indent = '', hanging = indent, width = WIDTH, hard: number | null = null): string[] {
  const out: string[] = [];
  let line: string | null = null;
  const prefix = () => (out.length ? hanging : indent);
  for (let word of text.split(/\s+/).filter(Boolean)) {
    if (line !== null && line.length + 1 + word.length <= width) {
      line += ` ${word}`;
      continue;
    }
    if (line !== null) out.push(line);
    while (hard !== null && !word.includes('://') && prefix().length < hard && prefix().length + word.length > hard) {
      const room = hard - prefix().length;
      out.push(prefix() + word.slice(0, room));
      word = word.slice(room);
    }
    line = prefix() + word;
  }
  if (line !== null) out.push(line);
  return out;
}

/**
 * Shell words, as written: whitespace splits them unless quoted or escaped; a backslash-newline (a command
 * already continued) is a space.
 */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | null = null;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    const next = command[i + 1];
    if (c === '\\' && quote !== "'" && next !== undefined) {
      i++;
      if (next === '\n' && quote === null) {
        if (word) words.push(word);
        word = '';
      } else word += c + next;
    } else if (quote !== null) {
      if (c === quote) quote = null;
      word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word += c;
    } else if (/\s/.test(c)) {
      if (word) words.push(word);
      word = '';
    } else word += c;
  }
  if (word) words.push(word);
  return words;
}

/**
 * A command for copying: each line of `command` is one command, broken only between words (an option stays with
 * its value when both fit) and continued with a backslash, so what is pasted runs as given. A word longer than
 * the line stays whole.
 */
export function wrapCommand(command: string, indent = '    ', width = WIDTH): string[] {
  const out: string[] = [];
  const room = (line: string, unit: string) => line.length + 1 + unit.length + 2 <= width;
  for (const one of command.split(/(?<!\\)\n/)) {
    const words = shellWords(one);
    if (!words.length) continue;
    const units: string[] = [];
    for (let i = 1; i < words.length; i++) {
      const w = words[i]!;
      const next = words[i + 1];
      if (w.startsWith('-') && !w.includes('=') && next !== undefined && !next.startsWith('-') && room(`${indent} `, `${w} ${next}`)) {
        units.push(`${w} ${next}`);
        i++;
      } else units.push(w);
    }
    let line = indent + words[0]!;
    for (const u of units) {
      // Room for the unit and for the ` \` that ends the line if another unit follows.
      if (room(line, u)) line += ` ${u}`;
      else {
        out.push(`${line} \\`);
        line = `${indent}  ${u}`;
      }
    }
    out.push(line);
  }
  return out;
}

/** Quoted output (a compiler error, git's message): indented, at most EXCERPT_LINES lines, long lines broken. */
export function excerpt(text: string, max = EXCERPT_LINES): string[] {
  const lines = text.trimEnd().split('\n');
  const shown = lines.slice(0, max).flatMap((l) => (l.trim() === '' ? [''] : wrap(l, '  ', '    ', WIDTH, MAIL_LINE)));
  if (lines.length > max) shown.push(`  [... ${lines.length - max} more lines]`);
  return shown;
}

const bare = (id: string) => id.trim().replace(/^<|>$/g, '');
const angle = (id: string) => `<${bare(id)}>`;

/** The posted message as the reply needs it, from the mail the bot read off the list (kernel/mbox.ts). */
export function postedMessage(msg: MailMessage): PostedMessage {
  const header = (name: string) => msg.headers.get(name) ?? '';
  const addresses = (value: string): MailAddress[] => addressparser(value, { flatten: true }).filter((a) => a.address).map((a) => ({ name: a.name, address: a.address }));
  const from = addresses(header('from'))[0];
  const messageId = bare(header('message-id'));
  if (!from || !messageId) throw new UsageError(`the posted message has no ${from ? 'Message-ID' : 'From address'} (subject ${JSON.stringify(header('subject'))})`, 'reply to a mail as it came from the list: it needs From and Message-ID');
  return {
    messageId,
    subject: header('subject'),
    from,
    date: header('date'),
    references: (header('references').match(/<[^>]+>/g) ?? []).map(bare),
    to: addresses(header('to')),
    cc: addresses(header('cc')),
  };
}

/** `<sea-harness.JOB.HASH@DOMAIN>`: the same for a job every time; the hash keeps ids apart that the cleaning merged. */
export function replyMessageId(jobId: string, botAddress: string): string {
  const domain = /@([A-Za-z0-9.-]+)$/.exec(botAddress.trim())?.[1];
  if (!domain) throw new UsageError(`the bot address ${JSON.stringify(botAddress)} has no domain`, 'give the bot an address like sea-harness@example.org: its domain names the reply\'s Message-ID');
  if (!jobId.trim()) throw new UsageError('the job id is empty', 'give each ci job an id: the reply\'s Message-ID derives from it');
  const clean = jobId.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64) || 'job';
  return `<sea-harness.${clean}.${createHash('sha256').update(jobId).digest('hex').slice(0, 12)}@${domain}>`;
}

/** RFC 5322 date-time in UTC (`Wed, 25 Nov 2026 20:00:06 +0000`). */
export function mailDate(d: Date): string {
  return d.toUTCString().replace(/GMT$/, '+0000');
}

export function replySubject(subject: string): string {
  return /^\s*re\s*:/i.test(subject) ? subject.trim() : `Re: ${subject.trim()}`;
}

/** Author in To; the lists and Cc of the posted mail in Cc; the bot and repeats out. */
function recipients(posted: PostedMessage, bot: BotIdentity): { to: MailAddress[]; cc: MailAddress[] } {
  const seen = new Set([bot.address.toLowerCase(), posted.from.address.toLowerCase()]);
  const cc: MailAddress[] = [];
  for (const a of [...posted.to, ...posted.cc]) {
    if (seen.has(a.address.toLowerCase())) continue;
    seen.add(a.address.toLowerCase());
    cc.push(a);
  }
  return { to: [posted.from], cc };
}

const BAD: readonly Verdict[] = ['fail', 'crash', 'timeout', 'error'];
const TALLY: ReadonlyArray<[Verdict, string]> = [['pass', 'passed'], ['fail', 'failed'], ['crash', 'crashed'], ['timeout', 'timed out'], ['error', 'errored'], ['skip', 'skipped']];

/** `2 passed, 1 skipped`: the series side's verdicts, a flaky case counted as flaky only. */
export function tally(cases: readonly CaseComparison[]): string {
  const steady = cases.filter((c) => c.change !== 'flaky');
  const parts = TALLY.map(([v, word]) => [steady.filter((c) => c.series === v).length, word] as const).filter(([n]) => n > 0).map(([n, word]) => `${n} ${word}`);
  const flaky = cases.length - steady.length;
  if (flaky) parts.push(`${flaky} flaky`);
  return parts.length ? parts.join(', ') : 'no cases ran';
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The first patch that did not apply (git am stops there: the ones after it were not tried). */
const unapplied = (r: CiResult) => r.apply.find((p) => !p.applied) ?? null;
const brokenBuild = (r: CiResult) => r.apply.find((p) => p.build === 'failed') ?? null;

export function summaryLine(r: CiResult): string {
  const n = r.apply.length;
  switch (r.verdict) {
    case 'ok':
      return `sea-harness: no regressions in KVM SEA handling (${tally(r.cases)})`;
    case 'regressed':
      return `sea-harness: ${plural(r.cases.filter((c) => c.change === 'regressed').length, 'regression')} in KVM SEA handling (${tally(r.cases)})`;
    case 'apply-failed':
      return `sea-harness: patch ${unapplied(r)?.patch ?? '?'}/${n} does not apply`;
    case 'build-failed': {
      const b = brokenBuild(r);
      return b && b.patch < n ? `sea-harness: patch ${b.patch}/${n} breaks the build` : 'sea-harness: the series breaks the build';
    }
    case 'error':
      return 'sea-harness: no result, the test setup failed (not the series)';
  }
}

/** Columns padded to their widest cell, two spaces apart. */
function columns(rows: ReadonlyArray<readonly string[]>, indent = ''): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => (indent + r.map((c, i) => c.padEnd(widths[i]!)).join('  ')).trimEnd());
}

function coverageCell(r: CiResult, p: PatchReport): string {
  const c = r.coverage?.patches.find((x) => x.patch === p.patch);
  if (!c) return 'not measured';
  if (c.executable > 0) return `${c.ran}/${c.executable} lines`;
  return c.notMeasurable > 0 ? 'EL2/asm only' : 'no kernel code';
}

function patchTable(r: CiResult): string[] {
  const n = r.apply.length;
  const first = unapplied(r);
  const rows = r.apply.map((p) => [
    `${p.patch}/${n}`,
    p.applied ? 'yes' : p === first && r.verdict === 'apply-failed' ? 'NO' : 'not tried',
    p.build === 'ok' ? 'yes' : p.build === 'failed' ? 'NO' : 'not built',
    p.checkpatch ? `${plural(p.checkpatch.errors, 'error')}, ${plural(p.checkpatch.warnings, 'warning')}` : 'not run',
    ...(r.coverage ? [coverageCell(r, p)] : []),
  ]);
  const out = columns([['patch', 'applies', 'builds', 'checkpatch', ...(r.coverage ? ['coverage'] : [])], ...rows]);
  if (r.coverage) out.push('', ...wrap('coverage: of the kernel lines a patch added, those that ran.'));
  out.push('');
  for (const p of r.apply) out.push(...wrap(`${p.patch}/${n} ${p.subject}`, '', ' '.repeat(`${p.patch}/${n} `.length)));
  return out;
}

/** The harness's workspace prefix out of paths, so they read tree-relative like the kernel's own reports. */
const treePath = (s: string) => s.replace(/\S*\/workspaces\/[^/\s]+\/src\//g, '');
const splitBacktrace = (reason: string) => {
  const at = reason.indexOf('; backtrace: ');
  return at < 0 ? { text: reason, frames: [] } : { text: reason.slice(0, at), frames: reason.slice(at + '; backtrace: '.length).split(' <- ').map(treePath) };
};
/** A comparison's detail without the backtraces its reasons carry, each up to the `)` closing its reason. */
export function withoutBacktrace(detail: string): string {
  return detail.replace(/; backtrace: [^)]*/g, '');
}

/** A console line without its timestamp (it differs from boot to boot; the report's first line names its kind). */
const consoleLine = (line: string) => line.replace(/^\s*\[\s*\d+\.\d+\]\s*/, '');

function history(name: string, flakes: ReplyInput['flakes']): string {
  const h = flakes[name];
  if (!h || h.runs === 0) return 'history: no earlier runs of this case on this bot';
  return `history: flaked ${h.flaked} of ${plural(h.runs, 'run')} on this bot${h.lastSeen ? `, last on ${h.lastSeen}` : ''}`;
}

function regression(c: CaseComparison, flakes: ReplyInput['flakes']): string[] {
  const out = [`Regression: ${c.name}`];
  const rerun = c.rerun ? `; re-run: base ${c.rerun.base ?? 'absent'}, series ${c.rerun.series ?? 'absent'}` : '';
  out.push(...wrap(`base: ${c.base ?? 'absent'}, series: ${c.series ?? 'absent'}${rerun}`, '  ', '    '));
  // The series side's reason is the failure only when it failed; a skip's reason (a subtest regressed under it) is not.
  if (c.seriesReason && c.series !== null && BAD.includes(c.series)) {
    const { text, frames } = splitBacktrace(c.seriesReason);
    out.push('  failure:', ...wrap(text, '    ', '      ', WIDTH, MAIL_LINE));
    if (frames.length) {
      out.push('  backtrace:');
      for (const f of frames.slice(0, FRAMES)) out.push(...wrap(f, '    ', '        '));
      if (frames.length > FRAMES) out.push(`    [... ${frames.length - FRAMES} more frames]`);
    }
  } else out.push(...wrap(withoutBacktrace(c.detail), '  ', '    '));
  if (c.subtests.length) {
    out.push('  subtests that changed:');
    for (const s of c.subtests) out.push(...wrap(`${s.name}: ${s.change}, ${s.base ?? 'absent'} -> ${s.series ?? 'absent'}`, '    ', '      '));
  }
  if (c.newWarnings.length) {
    out.push('  new kernel warnings:');
    for (const w of c.newWarnings) out.push(...wrap(consoleLine(w.line), '    ', '      ', WIDTH, MAIL_LINE));
  }
  out.push(...wrap(history(c.name, flakes), '  ', '    '));
  return out;
}

function flaky(c: CaseComparison, flakes: ReplyInput['flakes']): string[] {
  const rerun = c.rerun ? `, but a re-run gave ${c.rerun.base ?? 'absent'} on the base and ${c.rerun.series ?? 'absent'} with the series` : '';
  return [...wrap(`${c.name}: ${c.base ?? 'absent'} on the base, ${c.series ?? 'absent'} with the series${rerun}`, '  ', '    '), ...wrap(history(c.name, flakes), '    ', '      ')];
}

/** A bounded list: the first LISTED items, then how many more there are and where. */
function listed(items: readonly string[], where: string): string[] {
  const out = items.slice(0, LISTED).flatMap((i) => wrap(i, '  ', '    ', WIDTH, MAIL_LINE));
  if (items.length > LISTED) out.push(...wrap(`[... ${items.length - LISTED} more in ${where}]`, '  ', '    '));
  return out;
}

function failure(r: CiResult): string[] {
  const n = r.apply.length;
  const base = `${r.base.source}${r.base.commit ? ` (${r.base.commit.slice(0, 12)})` : ''}`;
  if (r.verdict === 'apply-failed') {
    const p = unapplied(r);
    const after = p && p.patch < n ? 'the patches after it were not tried, ' : '';
    return [...wrap(`Patch ${p?.patch ?? '?'}/${n} does not apply to ${base}; ${after}nothing was built or tested:`), '', ...excerpt(r.reason ?? 'no message')];
  }
  if (r.verdict === 'build-failed') {
    const b = brokenBuild(r);
    if (b && b.patch < n) return [...wrap(`Patch ${b.patch}/${n} breaks the build; a later patch fixes it, so the series is not bisectable:`), '', ...excerpt(b.buildError ?? r.reason ?? 'no message')];
    return [...wrap(`The kernel does not build with all ${plural(n, 'patch', 'patches')} applied, so no test ran:`), '', ...excerpt(r.build.error ?? b?.buildError ?? r.reason ?? 'no message')];
  }
  if (r.verdict === 'error') return [...wrap('No result: the test setup failed before the series could be judged; nothing here is blamed on the series:'), '', ...excerpt(r.reason ?? 'no message')];
  return [];
}

function section(out: string[], lines: readonly string[]): void {
  if (lines.length) out.push('', ...lines);
}

/** The mail's text: summary, what was tested, per-patch table, cases, problems, reproduction, signature. */
export function replyText(input: ReplyInput): string {
  const r = input.result;
  const n = r.apply.length;
  const out = wrap(summaryLine(r));
  const base = `${r.base.source}${r.base.commit ? ` (${r.base.commit.slice(0, 12)})` : ''}`;
  const superseded = input.superseded?.length ? ` It supersedes the results for ${input.superseded.join(', ')}.` : '';
  section(out, wrap(`Tested ${input.version} (${plural(n, 'patch', 'patches')}) on ${base}, guest ${r.provenance.guest}${r.provenance.qemu ? `, QEMU ${r.provenance.qemu}` : ''}.${superseded}`));
  section(out, failure(r));
  section(out, patchTable(r));
  if (r.cases.length) section(out, columns([['case', 'base', 'series', 'change'], ...r.cases.map((c) => [c.name, c.base ?? 'absent', c.series ?? 'absent', c.change])]));
  for (const c of r.cases.filter((x) => x.change === 'regressed')) section(out, regression(c, input.flakes));
  const flakes = r.cases.filter((c) => c.change === 'flaky');
  if (flakes.length) section(out, ['Flaky, not blamed on the series:', ...flakes.flatMap((c) => flaky(c, input.flakes))]);
  const other = r.cases.filter((c) => !['unchanged', 'regressed', 'flaky'].includes(c.change));
  const notes = (c: CaseComparison) => (c.series === 'pass' ? (c.notes ?? []).flatMap((note) => wrap(`note: ${note}`, '    ', '      ')) : []);
  if (other.length) section(out, ['Other changes:', ...other.flatMap((c) => [...wrap(`${c.name}: ${withoutBacktrace(c.detail)}`, '  ', '    '), ...notes(c)])]);
  const warned = r.cases.filter((c) => c.change !== 'regressed' && c.newWarnings.length);
  if (warned.length) section(out, ['New kernel warnings:', ...listed(warned.flatMap((c) => c.newWarnings.map((w) => `${c.name}: ${consoleLine(w.line)}`)), 'the results')]);
  const messages = r.apply.flatMap((p) => (p.checkpatch?.messages ?? []).map((m) => `${p.patch}/${n}: ${m}`));
  if (messages.length) section(out, ['checkpatch:', ...listed(messages, 'checkpatch.log')]);
  if (r.build.newWarnings.length) section(out, ['New compiler warnings (W=1, in the files the series touches):', ...listed(r.build.newWarnings, 'the results')]);
  if (r.build.newSelftestWarnings.length) section(out, ['New selftest warnings:', ...listed(r.build.newSelftestWarnings, 'the results')]);
  const unrun = (r.coverage?.patches ?? []).flatMap((p) => p.files.flatMap((f) => f.notRun.map((u) => `${p.patch}/${n} ${unrunLabel(f.path, u)}`)));
  if (unrun.length) section(out, ['Lines the series added that no test ran:', ...listed(unrun, 'the coverage report')]);
  if (r.coverageError) section(out, wrap(`Patch coverage not computed: ${r.coverageError}`, '', '  ', WIDTH, MAIL_LINE));
  section(out, ['To reproduce:', '', ...wrapCommand(input.reproduce)]);
  out.push('', '-- ', `${input.bot.name} <${input.bot.address}>, sea-harness ${r.provenance.harness}`, ...wrap(`Results and logs: ${input.bot.results}`));
  return `${out.join('\n')}\n`;
}

export function renderReply(input: ReplyInput): ReplyMail {
  const { to, cc } = recipients(input.posted, input.bot);
  const inReplyTo = angle(input.posted.messageId);
  const references = [...new Set([...input.posted.references.map(angle), inReplyTo])];
  return {
    messageId: replyMessageId(input.jobId, input.bot.address),
    from: { name: input.bot.name, address: input.bot.address },
    to,
    cc,
    subject: replySubject(input.posted.subject),
    inReplyTo,
    references,
    date: mailDate(input.now),
    text: replyText(input),
    headers: {
      'X-Sea-Harness-Verdict': input.result.verdict,
      'X-Sea-Harness-Regressions': String(input.result.cases.filter((c) => c.change === 'regressed').length),
      'X-Sea-Harness-Job': input.jobId,
      // RFC 3834: a robot's mail; vacation responders and other robots must not answer it.
      'Auto-Submitted': 'auto-generated',
    },
  };
}
