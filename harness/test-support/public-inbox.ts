// A real public-inbox archive on 127.0.0.1 for the bot's end-to-end test: Debian's public-inbox (a v2 inbox made
// by public-inbox-init, mails delivered by public-inbox-mda, served by public-inbox-httpd), what lore runs.
import { execa, type ResultPromise } from 'execa';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { freePort } from '../guest/qemu.js';
import { waitFor } from './cli.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Inbox {
  /** The inbox's URL: what --archive takes (http://127.0.0.1:PORT/NAME). */
  readonly url: string;
  readonly address: string;
  readonly dir: string;
  deliver(raw: string): Promise<void>;
  stop(): Promise<void>;
}

/** Poll `url` until it answers 200 (false after `timeoutMs`). */
export function httpReady(url: string, timeoutMs: number): Promise<boolean> {
  return waitFor(() => fetch(url).then((r) => r.ok, () => false), timeoutMs);
}

export async function startInbox(name = 'kvmarm'): Promise<Inbox> {
  const dir = mkdtempSync(join(tmpdir(), 'sea-e2e-inbox-'));
  const home = join(dir, 'home');
  mkdirSync(home);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/${name}`;
  const address = `${name}@lists.sea-harness.invalid`;
  const env = { PI_CONFIG: join(dir, 'config'), HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
  await execa('public-inbox-init', ['-V2', '-L', 'basic', name, join(dir, name), url, address], { env, extendEnv: false });
  // No spam filter on a test list (the default, spamc, is not installed and would refuse every mail).
  await execa('git', ['config', '-f', env.PI_CONFIG, 'publicinboxmda.spamcheck', 'none'], { env, extendEnv: false });
  writeFileSync(join(dir, 'httpd.log'), '');
  const httpd: ResultPromise = execa('public-inbox-httpd', ['-l', `http://127.0.0.1:${port}`, '-1', join(dir, 'httpd.log'), '-2', join(dir, 'httpd.log')], { env, extendEnv: false, reject: false, detached: true, stdin: 'ignore' });
  // An empty inbox answers 404 at its top page; its help page is there from the start.
  if (!(await httpReady(`${url}/_/text/help/`, 30_000))) {
    httpd.kill('SIGKILL');
    throw new Error(`public-inbox-httpd did not answer on ${url} within 30 s (log: ${join(dir, 'httpd.log')})`);
  }
  return {
    url,
    address,
    dir,
    deliver: async (raw) => {
      await execa('public-inbox-mda', ['--no-precheck'], { input: raw, env: { ...env, ORIGINAL_RECIPIENT: address }, extendEnv: false });
    },
    stop: async () => {
      try {
        process.kill(-httpd.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
      await httpd;
    },
  };
}
