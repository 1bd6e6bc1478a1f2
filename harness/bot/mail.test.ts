// The reply as a real mail: written to an .eml and read back, and sent to a real SMTP server on 127.0.0.1
// (Debian's python3-aiosmtpd, its Mailbox handler delivering to a Maildir) and read back from there. Both read
// with Python's email package (fixtures/read-mail.py), a parser independent of the one that wrote the mail.
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { parseMessage, selectSeries } from '../kernel/mbox.js';
import { HarnessError, UsageError } from '../util/errors.js';
import * as fx from './fixtures/ci-results.js';
import { composeMail, emlName, sendMail, writeEml } from './mail.js';
import { freePort } from '../guest/qemu.js';
import { startSmtpSink } from '../test-support/smtp-sink.js';
import { postedMessage, renderReply, type ReplyInput, type ReplyMail } from './reply.js';

/** Debian's interpreter, the one python3-aiosmtpd is installed for (another python3 may come first on PATH). */
const PYTHON = '/usr/bin/python3';
const READ_MAIL = new URL('./fixtures/read-mail.py', import.meta.url).pathname;

interface ReadBack {
  headers: Array<[string, string]>;
  contentType: string;
  params: Record<string, string>;
  transferEncoding: string | null;
  multipart: boolean;
  defects: string[];
  body: string;
  longestLine: number;
}

async function readBack(path: string): Promise<ReadBack> {
  const r = await execa(PYTHON, [READ_MAIL, path]);
  return JSON.parse(r.stdout) as ReadBack;
}
const header = (m: ReadBack, name: string) => m.headers.filter(([k]) => k.toLowerCase() === name.toLowerCase()).map(([, v]) => v);

const input = (over: Partial<ReplyInput> = {}): ReplyInput => ({
  result: fx.regressedResult(),
  posted: { ...postedMessage(fx.cover), references: ['20261101-v1-0-iabt@example.org'], to: [{ name: '', address: 'kvmarm@lists.linux.dev' }], cc: [{ name: 'Marc Zyngier', address: 'maz@kernel.org' }] },
  bot: { name: 'sea-harness bot', address: 'sea-harness@bot.example.org', results: 'https://bot.example.org/jobs/20261126-0001/' },
  jobId: '20261126-0001',
  reproduce: 'sea-harness ci --kernel debian:7.3 --series https://lore.kernel.org/r/20261125-v2-0-iabt@example.org/t.mbox.gz',
  flakes: {},
  version: 'v2',
  now: new Date('2026-11-26T08:00:00Z'),
  ...over,
});

/** The headers and body every reply must carry, however it travelled. */
function checkMail(t: Test, got: ReadBack, mail: ReplyMail): void {
  t.same(got.defects, [], 'no defects');
  t.notOk(got.multipart, 'one part');
  t.equal(got.contentType, 'text/plain');
  t.same(got.params, { charset: 'utf-8' }, 'charset utf-8, no format=flowed');
  t.same(header(got, 'Message-ID'), [mail.messageId]);
  t.same(header(got, 'In-Reply-To'), ['<20261125-v2-0-iabt@example.org>']);
  t.same(header(got, 'References').map((v) => v.split(/\s+/)), [['<20261101-v1-0-iabt@example.org>', '<20261125-v2-0-iabt@example.org>']]);
  t.same(header(got, 'Subject'), ['Re: [PATCH v2-port 0/3] KVM: arm64: userspace-handled SEA, IABT injection part, on Linux 7.3'], 'unfolded as it was');
  t.same(header(got, 'From'), ['sea-harness bot <sea-harness@bot.example.org>']);
  t.same(header(got, 'To'), ['Seed ad53c909 maintainers <maintainers@users.noreply.h-seed-ad53c909.example>']);
  t.same(header(got, 'Cc'), ['kvmarm@lists.linux.dev, Marc Zyngier <maz@kernel.org>']);
  t.same(header(got, 'Date'), ['Thu, 26 Nov 2026 08:00:00 +0000']);
  t.same(header(got, 'X-Sea-Harness-Verdict'), [mail.headers['X-Sea-Harness-Verdict']]);
  t.same(header(got, 'Auto-Submitted'), ['auto-generated']);
  t.same(header(got, 'MIME-Version'), ['1.0']);
  t.equal(got.body.replace(/\r\n/g, '\n'), mail.text, 'the body is the text, line for line');
}

t.test('writeEml: an RFC 5322 message, threaded, that reads back as written', async (t) => {
  const dir = join(t.testdir(), 'out');
  const mail = renderReply(input());
  const path = await writeEml(mail, dir);
  t.equal(path, join(dir, 'sea-harness.20261126-0001.a3b5796aa1ef@bot.example.org.eml'));
  const got = await readBack(path);
  checkMail(t, got, mail);
  t.equal(got.transferEncoding, '7bit', 'ASCII within 76 columns: sent as it reads');
  t.ok(got.longestLine <= 78, `no line over 78 octets (${got.longestLine}; the Maildir copy is Python's re-serialisation)`);
  const raw = readFileSync(path, 'utf8');
  t.match(raw, /\r\n\r\n/, 'CRLF line ends');
  t.notMatch(raw, /format=flowed/i);
  t.equal(await writeEml(mail, dir), path, 'written again: the same file');
  t.equal(readFileSync(path, 'utf8'), raw, 'with the same bytes');
  // The bot's own thread reader sees it as a reply: it never mistakes its reply for a patch.
  const thread = [...fx.thread, parseMessage(raw.replace(/\r\n/g, '\n'))];
  const sel = selectSeries(thread);
  t.same(sel.ignored.filter((i) => i.subject.startsWith('Re: [PATCH v2-port 0/3]')), [{ subject: mail.subject, why: 'reply' }]);
  t.same(sel.patches.map((p) => p.n), [1, 2, 3], 'the series as before');
});

t.test('writeEml: non-ASCII and a line past 76 columns go quoted-printable and decode to the text', async (t) => {
  const posted = { ...input().posted, from: { name: 'Jörg Rödel', address: 'joro@example.org' } };
  const mail = renderReply(input({ result: fx.errorResult(), posted, reproduce: 'sea-harness ci --title "Jörg\'s v2"' }));
  t.ok(mail.text.split('\n').some((l) => l.length > 76), 'the fixture has a URL line past 76 columns');
  const got = await readBack(await writeEml(mail, t.testdir()));
  t.equal(got.transferEncoding, 'quoted-printable');
  t.same(header(got, 'To'), ['Jörg Rödel <joro@example.org>'], 'the name RFC 2047-encoded and decoded back');
  t.equal(got.body.replace(/\r\n/g, '\n'), mail.text);
  t.ok(got.longestLine <= 78);
});

t.test('emlName: the id without brackets, nothing a path could trip on', async (t) => {
  t.equal(emlName('<a.b@c.org>'), 'a.b@c.org.eml');
  t.equal(emlName(' <../x/y z@c> '), '.._x_y_z@c.eml');
});

const gone = (pid: number) => {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
};

t.test('sendMail: delivered by a real SMTP server, read back from its Maildir', async (t) => {
  const maildir = join(t.testdir(), 'Maildir');
  const { port, pid, stop } = await startSmtpSink((stop) => t.teardown(stop), maildir);
  const mail = renderReply(input());
  const sent = await sendMail(mail, { host: '127.0.0.1', port });
  t.same([...sent.accepted].sort(), ['kvmarm@lists.linux.dev', 'maintainers@users.noreply.h-seed-ad53c909.example', 'maz@kernel.org']);
  t.same(sent.rejected, []);
  t.match(sent.response, /^250 /);
  const got = await readBack(maildir);
  checkMail(t, got, mail);
  t.same(header(got, 'X-MailFrom'), ['sea-harness@bot.example.org'], 'the envelope sender is the bot');
  t.same(header(got, 'X-RcptTo')[0]?.split(', ').sort(), ['kvmarm@lists.linux.dev', 'maintainers@users.noreply.h-seed-ad53c909.example', 'maz@kernel.org'], 'the envelope: To and Cc');
  t.same((await composeMail(mail)).toString().replace(/\r\n/g, '\n').split('\n\n').slice(1).join('\n\n'), `${mail.text}`, 'what was sent is what writeEml writes');
  await stop();
  t.ok(gone(pid), 'the SMTP server is gone');
});

t.test('sendMail: nothing listening: the error names host:port and the fix', async (t) => {
  const port = await freePort();
  const mail = renderReply(input());
  const err = await sendMail(mail, { host: '127.0.0.1', port }).catch((e: unknown) => e);
  t.ok(err instanceof HarnessError);
  const e = err as HarnessError;
  t.match(e.message, new RegExp(`^sending <sea-harness\\.20261126-0001\\.a3b5796aa1ef@bot\\.example\\.org> through 127\\.0\\.0\\.1:${port} failed: .*ECONNREFUSED`));
  t.equal(e.hint, `check that an SMTP server listens on 127.0.0.1:${port} and that this host may reach it`);
  t.ok(e.cause, 'the cause kept');
  await t.rejects(sendMail(mail, { host: '127.0.0.1', port: 0 }), UsageError);
  await t.rejects(sendMail(mail, { host: '127.0.0.1', port: 70000 }), /port 70000 is not a port number/);
  await t.rejects(sendMail(mail, { host: ' ', port: 25 }), /SMTP host is empty/);
});
