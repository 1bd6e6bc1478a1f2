// The mailing-list bot end to end, every server real and on 127.0.0.1: a public-inbox archive (Debian's
// public-inbox, served by public-inbox-httpd) holding the seed series and v1 and v2 of a series of our own;
// `run --series msgid:` fetches v2 with b4 and builds it on the series' base-commit; `bot` tests v2 once (v1
// superseded, the seed series older than --since) and answers on a real SMTP server (aiosmtpd) with a threaded
// plain-text reply; a v3 posted later is tested too; the bot killed with SIGKILL in the middle of v3's ci and
// started again ends the leftover ci and completes v3 once, with one reply.
import t from 'tap';
import { execa, type ResultPromise } from 'execa';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { qemuPids, runCli, timed, waitFor } from '../test-support/cli.js';
import { debianBase, makeHistory, patchSubject, type CommitSpec } from '../test-support/history.js';
import { CLI, SERIES_DIR, SERIES_MBOX } from '../test-support/paths.js';
import { startInbox, type Inbox } from '../test-support/public-inbox.js';
import { startSmtpSink, type SmtpSink } from '../test-support/smtp-sink.js';
import { seriesMails } from '../test-support/list-mail.js';
import { validateKcidb } from '../test-support/kcidb-schema.js';
import { splitMbox, parseMessage } from '../kernel/mbox.js';
import type { RunResult } from '../model/result.js';
import { E2E_TIMEOUT_MS } from '../test-support/timeouts.js';

t.setTimeout(E2E_TIMEOUT_MS['12-bot']);

const tmp = (tag: string) => mkdtempSync(join(tmpdir(), `sea-e2e-bot-${tag}-`));
const AUTHOR = 'Dana Dev <dana@sea-harness.invalid>';
const TITLE = 'KVM: arm64: notes on SEA injection';
const seaSeries: CommitSpec[] = readdirSync(SERIES_DIR)
  .filter((f) => /^000[1-9].*\.patch$/.test(f))
  .sort()
  .map((f, i) => ({ label: `s${i + 1}`, subject: patchSubject(join(SERIES_DIR, f)), edits: [{ patch: join(SERIES_DIR, f) }] }));
/** Version v of our series: a note in the KVM API documentation and a comment in inject_fault.c (one object). */
const ours = (v: number): CommitSpec[] => [
  { label: `v${v}-doc`, subject: `docs: kvm: note on external abort injection (v${v})`, edits: [{ path: 'Documentation/virt/kvm/api.rst', append: `.. sea-harness bot test: note, version ${v}` }] },
  { label: `v${v}-c`, subject: `KVM: arm64: comment the SEA injection path (v${v})`, edits: [{ path: 'arch/arm64/kvm/inject_fault.c', append: `/* sea-harness bot test: comment, version ${v} */` }] },
];

function header(raw: string, name: string): string | undefined {
  return parseMessage(raw).headers.get(name.toLowerCase());
}

let inbox: Inbox;
let smtp: SmtpSink;
let tree: string;
let main: string;
const posted: Record<number, { coverId: string; mails: readonly string[] }> = {};
const bots: ResultPromise[] = [];

t.before(async () => {
  const ws = await runCli(['build', '--format', 'json', '--case', 'inject_iabt']);
  if (ws.exitCode !== 0) throw new Error(`build failed: ${ws.stderr.slice(-2000)}`);
  const base = await debianBase((JSON.parse(ws.stdout) as { workspace: string }).workspace);
  tree = tmp('tree');
  main = (await makeHistory(tree, base, seaSeries)).get('s3')!;
  inbox = await startInbox();
  smtp = await startSmtpSink();
  // The seed series' own mails (the posted v2 port), dated 25 Nov 2026: older than the bot's --since.
  for (const [i, raw] of splitMbox(readFileSync(SERIES_MBOX, 'utf8')).entries()) {
    await inbox.deliver(raw.replace(/^From [0-9a-f]{40} .*\n/, '').replace(/^(Date: .*)$/m, `$1\nMessage-ID: <seed-${i}@sea-harness.invalid>${i ? '\nIn-Reply-To: <seed-0@sea-harness.invalid>' : ''}`));
  }
  const now = Date.now();
  for (const v of [1, 2, 3]) {
    const repo = tmp(`v${v}`);
    const h = await makeHistory(repo, base, [...seaSeries, ...ours(v)]);
    if (h.get('s3') !== main) throw new Error('the SEA series commits differ between histories');
    const up = v === 2 ? { id: posted[1]!.coverId, references: [] } : undefined;
    posted[v] = await seriesMails({
      repo,
      commits: ours(v).map((c) => h.get(c.label)!),
      version: v,
      title: TITLE,
      body: `Version ${v} of a series made for sea-harness's bot test.`,
      // v1 names a base the tree does not have (it was posted against something else); v2 and v3 the tree's main.
      baseCommit: v === 1 ? '1111111111111111111111111111111111111111' : main,
      from: AUTHOR,
      to: inbox.address,
      date: new Date(now - (4 - v) * 3600_000),
      idPrefix: `bot-test-v${v}`,
      ...(up ? { inReplyTo: up } : {}),
    });
  }
  for (const v of [1, 2]) for (const m of posted[v]!.mails) await inbox.deliver(m);
});

t.teardown(async () => {
  for (const b of bots) if (b.exitCode === null) b.kill('SIGKILL');
  await inbox?.stop();
  await smtp?.stop();
});

t.test('run --series msgid: fetches the thread with b4 and builds v2 on its base-commit', async (t) => {
  const out = tmp('run');
  const r = await runCli(['run', '--series', `msgid:${posted[1]!.coverId}`, '--archive', inbox.url, '--kernel', tree, '--ref', 'main', '--case', 'inject_iabt', '--out', out, '--format', 'json']);
  timed(t, 'run --series msgid: (b4 fetch, v2 built incrementally, inject_iabt)', r.durationMs);
  t.equal(r.exitCode, 0, 'exit 0', { stderr: r.stderr.slice(-3000) });
  const doc = JSON.parse(r.stdout) as RunResult;
  t.same(doc.kernel.series.map((p) => p.subject), ours(2).map((c) => c.subject), 'the v2 patches (b4 picked the newest revision of the thread)');
  t.ok(doc.kernel.series.every((p) => p.applied));
  t.match(doc.kernel.source, new RegExp(`base-commit ${main.slice(0, 12)} named by the series`), 'the base came from base-commit:');
  t.match(r.stderr, /intake: fetching <bot-test-v1-0@sea-harness.invalid> from http:\/\/127\.0\.0\.1:\d+\/kvmarm with b4/);
  t.equal(doc.cases.find((c) => c.name === 'inject_iabt')?.verdict, 'pass');
});

t.test('a Message-ID the archive does not have: exit 2, naming it and the archive', async (t) => {
  const r = await runCli(['build', '--series', 'msgid:no-such-message@sea-harness.invalid', '--archive', inbox.url, '--format', 'json']);
  t.equal(r.exitCode, 2, 'exit 2', { stderr: r.stderr.slice(-2000) });
  t.match(r.stderr, /b4 could not fetch a series for <no-such-message@sea-harness.invalid> from http:\/\/127\.0\.0\.1:\d+\/kvmarm/);
});

const state = tmp('state');
const botArgs = (since: string) => [
  CLI, 'bot', '--archive', inbox.url, '--kernel', tree, '--base', 'main', '--state', state, '--smtp', `${smtp.host}:${smtp.port}`,
  '--from', 'SEA CI <sea-ci@sea-harness.invalid>', '--settle', '3', '--poll', '2', '--since', since,
  '--ci-arg=--case', '--ci-arg=inject_iabt', '--ci-arg=--no-coverage',
];
/** A bot process and everything it printed so far. */
const startBot = (since: string) => {
  const b = execa('node', botArgs(since), { reject: false, stdin: 'ignore', all: true });
  bots.push(b);
  const printed = { text: '' };
  b.all?.on('data', (d: Buffer) => (printed.text += d.toString()));
  return Object.assign(b, { printed });
};
const status = async () => JSON.parse(String((await execa('node', [CLI, 'bot', 'status', '--state', state, '--format', 'json'])).stdout)) as { jobs: Array<{ root: string; state: string; attempts: number; verdict: string | null; deliveredAt: string | null; supersededBy: string | null; outDir: string | null }> };

t.test('the bot tests v2 once, supersedes v1, skips the older seed series, replies threaded over SMTP', async (t) => {
  const since = new Date(Date.now() - 5 * 3600_000).toISOString();
  const started = Date.now();
  const bot = startBot(since);
  const replied = await waitFor(() => smtp.messages().length >= 1 || bot.exitCode !== null, 15 * 60_000, 1000);
  timed(t, 'bot: v2 picked up, ci, reply delivered', Date.now() - started);
  t.ok(replied && smtp.messages().length >= 1, 'a reply reached the SMTP server', { output: bot.printed.text.slice(-3000) });
  const reply = smtp.messages()[0]!;
  t.equal(header(reply, 'In-Reply-To'), `<${posted[2]!.coverId}>`, 'In-Reply-To: the v2 cover letter');
  t.match(header(reply, 'References'), new RegExp(`<${posted[1]!.coverId}>\\s+<${posted[2]!.coverId}>`), 'References: the whole chain, v1 cover then v2 cover');
  t.match(header(reply, 'Subject'), /^Re: \[PATCH v2 0\/2\] KVM: arm64: notes on SEA injection$/);
  t.match(header(reply, 'To'), /dana@sea-harness\.invalid/);
  t.match(header(reply, 'Cc'), new RegExp(inbox.address.replace(/\./g, '\\.')), 'the list in Cc');
  t.match(header(reply, 'Content-Type'), /text\/plain/);
  t.notMatch(reply, /^\|.*\|$/m, 'no Markdown table');
  t.match(reply, /inject_iabt/);
  const s = await status();
  const byRoot = (id: string) => s.jobs.find((j) => j.root === id);
  t.match(byRoot(posted[1]!.coverId), { state: 'superseded', supersededBy: posted[2]!.coverId, attempts: 0 }, 'v1 superseded, never run');
  t.match(byRoot(posted[2]!.coverId), { state: 'done', verdict: 'ok', attempts: 1 }, 'v2 tested once: ok');
  t.ok(byRoot(posted[2]!.coverId)?.deliveredAt, 'v2 reply marked delivered');
  t.notOk(byRoot('seed-0@sea-harness.invalid'), 'the seed series (posted before --since) is not a job');
  const dir = byRoot(posted[2]!.coverId)!.outDir!;
  t.same(validateKcidb(JSON.parse(readFileSync(join(dir, 'kcidb.json'), 'utf8'))), [], 'kcidb.json validates');
  t.ok(existsSync(join(dir, '..', 'patchwork-checks.json')), 'patchwork checks written');
  bot.kill('SIGTERM');
  const r = await bot;
  t.equal(r.exitCode, 0, 'SIGTERM: the bot stops, exit 0');
});

t.test('v3 posted later; the bot killed with SIGKILL in the middle of its ci, restarted, completes it once', async (t) => {
  const since = new Date(Date.now() - 5 * 3600_000).toISOString();
  const bot = startBot(since);
  for (const m of posted[3]!.mails) await inbox.deliver(m);
  const started = Date.now();
  const running = await waitFor(async () => bot.exitCode !== null || (await status()).jobs.some((j) => j.root === posted[3]!.coverId && j.state === 'running' && j.outDir !== null && qemuPids(j.outDir).length > 0), 10 * 60_000, 1000);
  t.ok(running, 'v3 ci started and booted its QEMU', { output: bot.printed.text.slice(-3000) });
  const attemptDir = (await status()).jobs.find((j) => j.root === posted[3]!.coverId)!.outDir!;
  bot.kill('SIGKILL');
  await bot;
  t.ok(qemuPids(attemptDir).length > 0, 'the killed bot left its ci and QEMU running (what the restart must end)');
  const again = startBot(since);
  const second = await waitFor(() => smtp.messages().length >= 2 || again.exitCode !== null, 15 * 60_000, 1000);
  timed(t, 'bot: v3 posted, killed mid-run, restarted, reply delivered', Date.now() - started);
  t.ok(second && smtp.messages().length >= 2, 'the v3 reply reached the SMTP server', { output: again.printed.text.slice(-3000) });
  t.same(qemuPids(attemptDir), [], 'the first attempt\'s QEMU is gone');
  t.match(again.printed.text, /recovered <bot-test-v3-0@sea-harness\.invalid>: attempt 1 ended/);
  // A few more polls: nothing else is sent, nothing runs again.
  await new Promise((r) => setTimeout(r, 8000));
  t.equal(smtp.messages().length, 2, 'one reply per tested version, none twice');
  const v3 = smtp.messages()[1]!;
  t.equal(header(v3, 'In-Reply-To'), `<${posted[3]!.coverId}>`);
  t.match(header(v3, 'Subject'), /^Re: \[PATCH v3 0\/2\]/);
  const s = await status();
  t.match(s.jobs.find((j) => j.root === posted[3]!.coverId), { state: 'done', verdict: 'ok', attempts: 2 }, 'v3: the killed attempt and the one that finished');
  t.match(s.jobs.find((j) => j.root === posted[2]!.coverId), { state: 'done', attempts: 1 }, 'v2 not run again');
  again.kill('SIGTERM');
  t.equal((await again).exitCode, 0);
  t.same(qemuPids(state), [], 'no QEMU left');
});
