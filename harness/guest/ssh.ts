// SSH into the L1 with ssh2: per-run ed25519 client key, the guest's host key pinned, commands with separate
// stdout/stderr and exit codes, per-command timeouts, uploads over a plain channel.
import { readFile } from 'node:fs/promises';
import ssh2 from 'ssh2';
import type { ClientChannel, ConnectConfig } from 'ssh2';
import pRetry, { AbortError } from 'p-retry';
import { HarnessError } from '../util/errors.js';

const { Client, utils } = ssh2;

/** How long one connection attempt may take to reach an authenticated session. */
const CONNECT_ATTEMPT_MS = 10_000;

export interface ClientKey {
  readonly privateKey: string;
  readonly publicKey: string;
}

/** An OpenSSH ed25519 public key blob: string "ssh-ed25519" (4 + 11 bytes) and string key (4 + 32 bytes). */
const ED25519_BLOB_BYTES = 51;

/**
 * A fresh ed25519 client key. ssh2's generator drops a leading zero byte of the public key about once in 256
 * keys: the public line then holds 31 bytes and the private key does not parse ("Malformed OpenSSH private
 * key"), so every connection of that run fails at once. Such keys are thrown away and another one made.
 */
export function generateClientKey(comment = 'sea-harness'): ClientKey {
  for (let attempt = 0; attempt < 32; attempt++) {
    const k = utils.generateKeyPairSync('ed25519', { comment });
    if (publicKeyBlob(k.public).length === ED25519_BLOB_BYTES && !(utils.parseKey(k.private) instanceof Error)) {
      return { privateKey: k.private, publicKey: k.public };
    }
  }
  throw new HarnessError('could not make a well-formed ed25519 client key in 32 tries', { stage: 'ssh', hint: 'the ssh2 package\'s key generator misbehaves: reinstall it with `npm ci`' });
}

/** The raw key blob of an OpenSSH one-line public key, for comparing with what the server presents. */
export function publicKeyBlob(openssh: string): Buffer {
  const b64 = openssh.trim().split(/\s+/)[1];
  if (!b64) throw new Error(`not an OpenSSH public key: ${openssh.slice(0, 40)}`);
  return Buffer.from(b64, 'base64');
}

export interface ExecResultSsh {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
  readonly timedOut: boolean;
}

export interface SshTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly clientKey: ClientKey;
  /** The guest's host public key (OpenSSH form), pinned: no trust on first use. */
  readonly hostKey: string;
}

export class SshSession {
  private constructor(
    private readonly client: InstanceType<typeof Client>,
    readonly target: SshTarget,
  ) {}

  static connect(target: SshTarget, timeoutMs: number): Promise<SshSession> {
    const pinned = publicKeyBlob(target.hostKey);
    return new Promise((resolve, reject) => {
      const client = new Client();
      let mismatch = false;
      const config: ConnectConfig = {
        host: target.host,
        port: target.port,
        username: target.user,
        privateKey: target.clientKey.privateKey,
        readyTimeout: timeoutMs,
        keepaliveInterval: 5000,
        keepaliveCountMax: 6,
        hostVerifier: (key: Buffer) => {
          mismatch = !key.equals(pinned);
          return !mismatch;
        },
      };
      client.once('ready', () => resolve(new SshSession(client, target)));
      // `on`, not `once`: a failed handshake can emit a second error (a timeout, then "Connection lost before
      // handshake"), and an 'error' event nobody listens to takes the whole process down.
      let failed = false;
      client.on('error', (err) => {
        if (failed) return;
        failed = true;
        client.end();
        if (mismatch) {
          reject(new HarnessError('the L1 presented an SSH host key that is not the pinned one', { stage: 'ssh', hint: 'the guest image and its recorded host key disagree: `npx sea-harness cache clean --images`', cause: err }));
        } else reject(err);
      });
      try {
        client.connect(config);
      } catch (err) {
        // A key or option ssh2 refuses: no retry can help.
        reject(new HarnessError(`ssh2 refused the connection settings: ${(err as Error).message}`, { stage: 'ssh', cause: err, hint: 'the run\'s client key is in the --out directory (id_ed25519)' }));
      }
    });
  }

  /**
   * Connect with retries and backoff until `deadline`; gives up at once when `gone()` says QEMU has exited. A
   * failure says how many attempts were made and what the last one met.
   */
  static async connectWithRetry(target: SshTarget, options: { deadline: number; signal: AbortSignal; gone: () => string | null }): Promise<SshSession> {
    const started = Date.now();
    let attempts = 0;
    /** What the attempts met, by message, in the order first seen. */
    const seen = new Map<string, number>();
    try {
      return await pRetry(
        async () => {
          const why = options.gone();
          if (why) throw new AbortError(why);
          const left = options.deadline - Date.now();
          if (left <= 0) throw new AbortError('SSH deadline passed');
          attempts++;
          // A handshake takes well under a second here even under TCG: an attempt that hangs is abandoned for a
          // fresh connection rather than waited on.
          try {
            return await SshSession.connect(target, Math.min(left, CONNECT_ATTEMPT_MS));
          } catch (err) {
            const m = (err as Error).message;
            seen.set(m, (seen.get(m) ?? 0) + 1);
            throw err;
          }
        },
        {
          retries: 1000,
          factor: 1.5,
          minTimeout: 100,
          maxTimeout: 1000,
          signal: options.signal,
          shouldRetry: (err: Error) => !(err instanceof HarnessError) && Date.now() < options.deadline && !options.gone(),
        },
      );
    } catch (err) {
      if (err instanceof HarnessError || options.signal.aborted) throw err;
      const met = [...seen].map(([m, n]) => `${n}x "${m}"`).join(', ') || (err as Error).message;
      throw new Error(`${attempts} attempt(s) in ${((Date.now() - started) / 1000).toFixed(1)} s: ${met}`, { cause: err });
    }
  }

  /**
   * Run a command. stdout and stderr stay apart (merged, a popen error would land inside a KTAP line).
   * On timeout the channel is closed and `timedOut` is set: closing it does not kill the remote command,
   * which is why cases run under `timeout` inside the L1 as well.
   */
  exec(command: string, options: { timeoutMs?: number; stdin?: Buffer | string; onStdout?: (s: string) => void; signal?: AbortSignal } = {}): Promise<ExecResultSsh> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
      this.client.exec(command, (err, channel: ClientChannel) => {
        if (err) return reject(new HarnessError(`ssh exec failed: ${err.message}`, { stage: 'ssh', cause: err, command: ['ssh', command] }));
        const out: Buffer[] = [];
        const errb: Buffer[] = [];
        let exitCode: number | null = null;
        let signal: string | null = null;
        let timedOut = false;
        let timer: NodeJS.Timeout | undefined;
        let settled = false;
        const settle = () => {
          if (settled) return;
          settled = true;
          if (timer) clearTimeout(timer);
          resolve({ exitCode, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(errb).toString(), durationMs: Date.now() - started, timedOut });
        };
        // dropbear answers the channel close only once the command has exited, and a command stuck in the
        // kernel never does: settle now rather than wait for the close.
        const giveUp = () => {
          timedOut = true;
          channel.close();
          settle();
        };
        if (options.timeoutMs) timer = setTimeout(giveUp, options.timeoutMs);
        if (options.signal?.aborted) giveUp();
        else options.signal?.addEventListener('abort', giveUp, { once: true });
        channel.on('data', (d: Buffer) => {
          out.push(d);
          options.onStdout?.(d.toString());
        });
        channel.stderr.on('data', (d: Buffer) => errb.push(d));
        channel.on('exit', (code: number | null, sig?: string) => {
          exitCode = code;
          signal = sig ?? null;
        });
        channel.on('close', settle);
        if (options.stdin !== undefined) channel.end(options.stdin);
        else channel.end();
      });
    });
  }

  /** Upload a file through `cat` (dropbear has no SFTP server in the image). */
  async upload(localPath: string, remotePath: string, mode = 0o755): Promise<void> {
    const data = await readFile(localPath);
    const dir = remotePath.replace(/\/[^/]*$/, '') || '/';
    const r = await this.exec(`mkdir -p '${dir}' && cat > '${remotePath}' && chmod ${mode.toString(8)} '${remotePath}'`, { stdin: data, timeoutMs: 120_000 });
    if (r.exitCode !== 0) throw new HarnessError(`upload of ${localPath} to ${remotePath} failed: ${r.stderr.trim()}`, { stage: 'ssh' });
  }

  /** An interactive shell wired to this process's terminal; resolves with the shell's exit code. */
  interactive(stdin: NodeJS.ReadStream, stdout: NodeJS.WriteStream, command?: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const onChannel = (err: Error | undefined, channel: ClientChannel) => {
        if (err) return reject(err);
        const raw = stdin.isTTY;
        if (raw) stdin.setRawMode(true);
        stdin.pipe(channel);
        channel.pipe(stdout);
        channel.stderr.pipe(process.stderr);
        let code = 0;
        channel.on('exit', (c: number | null) => {
          code = c ?? 255;
        });
        channel.on('close', () => {
          stdin.unpipe(channel);
          if (raw) stdin.setRawMode(false);
          stdin.pause();
          resolve(code);
        });
      };
      const pty = { term: process.env.TERM ?? 'xterm', rows: stdout.rows ?? 24, cols: stdout.columns ?? 80 };
      if (command) this.client.exec(command, { pty }, onChannel);
      else this.client.shell(pty, onChannel);
    });
  }

  close(): void {
    this.client.end();
  }
}
