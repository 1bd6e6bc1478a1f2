// A real SMTP server on 127.0.0.1 that keeps what it receives in a Maildir: Debian's python3-aiosmtpd with its
// Mailbox handler (Debian's /usr/bin/python3: another python3 may come first on PATH). The bot's test sends its replies there and reads them back.
import { execa, type ResultPromise } from 'execa';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './public-inbox.js';

export interface SmtpSink {
  readonly host: string;
  readonly port: number;
  readonly maildir: string;
  /** The raw messages received so far, oldest first. */
  messages(): string[];
  stop(): Promise<void>;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port }, () => {
      s.end();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const root = mkdtempSync(join(tmpdir(), 'sea-e2e-smtp-'));
  const maildir = join(root, 'Maildir');
  const port = await freePort();
  const server: ResultPromise = execa('/usr/bin/python3', ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', maildir], { reject: false, stdin: 'ignore', detached: true });
  const end = Date.now() + 20_000;
  while (!(await listening(port))) {
    if (Date.now() > end || server.exitCode !== null) throw new Error(`aiosmtpd did not listen on 127.0.0.1:${port}: ${String((await server).stderr ?? '')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    host: '127.0.0.1',
    port,
    maildir,
    messages: () => {
      const dir = join(maildir, 'new');
      if (!existsSync(dir)) return [];
      return readdirSync(dir)
        .map((f) => join(dir, f))
        .sort()
        .map((p) => readFileSync(p, 'utf8'));
    },
    stop: async () => {
      try {
        process.kill(-server.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
      await server;
    },
  };
}
