// The reply as a mail (I/O): an RFC 5322 message written to an .eml file (the record of what was sent, and all a
// dry run does), or sent over SMTP; both composed by nodemailer's MailComposer from the same options.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { HarnessError, UsageError } from '../util/errors.js';
import type { ReplyMail } from './reply.js';

export interface SmtpOptions {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (SMTPS, port 465); otherwise STARTTLS when the server offers it. */
  readonly secure?: boolean;
  readonly auth?: { readonly user: string; readonly pass: string };
}

export interface SendResult {
  readonly accepted: readonly string[];
  readonly rejected: readonly string[];
  /** The server's last reply (`250 Message accepted for delivery`). */
  readonly response: string;
}

/** Connect, greeting and idle socket timeouts: a list server that does not answer in these is not going to. */
export const SMTP_TIMEOUTS = { connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 } as const;

/**
 * The message options: text/plain; charset=utf-8, not format=flowed (nodemailer never adds it: lines arrive as
 * the reply wrapped them). ASCII text with lines of at most 76 characters goes out 7bit, anything else
 * quoted-printable (nodemailer's rule).
 */
export function mailOptions(mail: ReplyMail): Mail.Options {
  return {
    from: { ...mail.from },
    to: mail.to.map((a) => ({ ...a })),
    cc: mail.cc.map((a) => ({ ...a })),
    subject: mail.subject,
    messageId: mail.messageId,
    inReplyTo: mail.inReplyTo,
    references: [...mail.references],
    date: mail.date,
    headers: { ...mail.headers },
    text: mail.text,
  };
}

/** The message as RFC 5322 bytes (CRLF line ends). */
export async function composeMail(mail: ReplyMail): Promise<Buffer> {
  return new MailComposer(mailOptions(mail)).compile().build();
}

/** `<a.b@c>` -> `a.b@c`, with anything a file name should not hold as `_`. */
export function emlName(messageId: string): string {
  return `${messageId.trim().replace(/^<|>$/g, '').replace(/[^A-Za-z0-9._@+-]/g, '_')}.eml`;
}

/** Write the message to `<dir>/<message id>.eml` (through a temporary name: a reader never sees half of it). */
export async function writeEml(mail: ReplyMail, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, emlName(mail.messageId));
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, await composeMail(mail));
  await rename(tmp, path);
  return path;
}

function checkSmtp(smtp: SmtpOptions): void {
  if (!smtp.host.trim()) throw new UsageError('the SMTP host is empty', 'give the host name or address of the SMTP server the bot sends through');
  if (!Number.isInteger(smtp.port) || smtp.port < 1 || smtp.port > 65535) throw new UsageError(`the SMTP port ${JSON.stringify(smtp.port)} is not a port number`, 'give a port from 1 to 65535 (25, 465 with secure, 587)');
}

/** What to do about a failed send, by nodemailer's error code. */
function hintFor(code: string | undefined, smtp: SmtpOptions): string {
  const at = `${smtp.host}:${smtp.port}`;
  switch (code) {
    case 'ECONNECTION':
    case 'ESOCKET':
    case 'EDNS':
      return `check that an SMTP server listens on ${at} and that this host may reach it`;
    case 'ETIMEDOUT':
      return `${at} did not answer in time: check the host and port, and any firewall between`;
    case 'ETLS':
      return smtp.secure ? `${at} does not speak TLS from the start: use secure only for SMTPS (port 465)` : `STARTTLS with ${at} failed: check the server's certificate`;
    case 'EAUTH':
      return `${at} refused the login: check the SMTP user and password`;
    case 'EENVELOPE':
      return `${at} refused the sender or every recipient: check the bot's address and the list addresses`;
    default:
      return `see the server's reply above; the mail can be sent again as is (same Message-ID)`;
  }
}

/** Send over SMTP: one connection for this message (the plain SMTP transport, not the pool), closed afterwards. */
export async function sendMail(mail: ReplyMail, smtp: SmtpOptions): Promise<SendResult> {
  checkSmtp(smtp);
  const options: SMTPTransport.Options = { host: smtp.host, port: smtp.port, secure: smtp.secure ?? false, ...(smtp.auth ? { auth: { ...smtp.auth } } : {}), ...SMTP_TIMEOUTS };
  const transport = nodemailer.createTransport(options);
  try {
    const info = await transport.sendMail(mailOptions(mail));
    const list = (xs: ReadonlyArray<string | Mail.Address>) => xs.map((x) => (typeof x === 'string' ? x : x.address));
    return { accepted: list(info.accepted), rejected: list(info.rejected), response: info.response };
  } catch (cause) {
    const e = cause as { code?: string; message?: string; response?: string };
    throw new HarnessError(`sending ${mail.messageId} through ${smtp.host}:${smtp.port} failed: ${e.message ?? String(cause)}`, {
      stage: 'report',
      cause,
      ...(e.response ? { outputTail: e.response } : {}),
      hint: hintFor(e.code, smtp),
    });
  } finally {
    transport.close();
  }
}
