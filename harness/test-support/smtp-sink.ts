// A real SMTP server on 127.0.0.1 that keeps what it receives in a Maildir: Debian's python3-aiosmtpd with its
// Mailbox handler (Debian's /usr/bin/python3: another python3 may come first on PATH). The mail test and the
// bot's end-to-end test send to it and read the messages back.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../guest/qemu.js';

const PYTHON = '/usr/bin/python3';

export interface SmtpSink {
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  readonly maildir: string;
  /** The raw messages received so far, oldest first. */
  messages(): string[];
  /** SIGTERM, SIGKILL after 5 s, then waits for the exit. Idempotent. */
  stop(): Promise<void>;
}

/** The SMTP greeting on `port`, or null when nothing answers yet. */
function greeting(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.setTimeout(2000, () => s.destroy());
    s.once('data', (d) => {
      s.end('QUIT\r\n');
      resolve(d.toString());
    });
    s.once('error', () => resolve(null));
    s.once('close', () => resolve(null));
  });
}

/**
 * aiosmtpd on a free port, ready when it sends its 220. `register` (a test's teardown) gets the stop before the
 * server starts, so a test that fails half-way still ends it.
 */
export async function startSmtpSink(register?: (stop: () => Promise<void>) => void, maildir = join(mkdtempSync(join(tmpdir(), 'sea-e2e-smtp-')), 'Maildir')): Promise<SmtpSink> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  let stderr = '';
  const stop = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child!.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  register?.(stop);
  child = spawn(PYTHON, ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', maildir], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const deadline = Date.now() + 20_000;
  for (;;) {
    const hello = await greeting(port);
    if (hello?.startsWith('220')) break;
    if (child.exitCode !== null) throw new Error(`aiosmtpd exited (${child.exitCode}): ${stderr}; is python3-aiosmtpd installed for ${PYTHON}? (apt-get install python3-aiosmtpd)`);
    if (Date.now() > deadline) throw new Error(`aiosmtpd sent no 220 on 127.0.0.1:${port} within 20 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host: '127.0.0.1',
    port,
    pid: child.pid!,
    maildir,
    messages: () => {
      const dir = join(maildir, 'new');
      if (!existsSync(dir)) return [];
      return readdirSync(dir)
        .map((f) => join(dir, f))
        .sort()
        .map((p) => readFileSync(p, 'utf8'));
    },
    stop,
  };
}
