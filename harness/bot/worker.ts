// One `sea-harness ci` run of a job as a child process in its own process group (so the bot can stop it and
// everything under it, QEMU included, and a restarted bot can find and end one a killed bot left behind).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { cliPath } from '../util/project.js';
import type { JobRow } from './store.js';

export interface CiSettings {
  /** --kernel DIR and --base REV for ci (null: Debian's source). */
  readonly kernel: { readonly dir: string; readonly base: string } | null;
  /** More ci options, e.g. ['--case', 'inject_iabt']. */
  readonly ciArgs: readonly string[];
}

export interface CiChild {
  readonly pid: number;
  readonly dir: string;
  readonly exited: Promise<number | null>;
  /** SIGINT to the group: ci stops its QEMU and exits 130. */
  stop(): void;
}

/** The command line of one attempt: the series by Message-ID, pinned to the version the bot saw complete. */
export function ciCommand(job: Pick<JobRow, 'root' | 'archive' | 'version'>, settings: CiSettings, outDir: string): string[] {
  return [
    process.execPath,
    cliPath(),
    'ci',
    '--series',
    `msgid:${job.root}`,
    '--archive',
    job.archive,
    '--series-version',
    String(job.version),
    ...(settings.kernel ? ['--kernel', settings.kernel.dir, '--base', settings.kernel.base] : []),
    ...settings.ciArgs,
    '--out',
    outDir,
    '--format',
    'json',
  ];
}

export async function startCi(job: JobRow, settings: CiSettings, jobDir: string, attempt: number): Promise<CiChild> {
  const dir = join(jobDir, `attempt-${attempt}`);
  await mkdir(dir, { recursive: true });
  const [file, ...args] = ciCommand(job, settings, dir);
  const out = openSync(join(dir, 'ci.json.stdout'), 'w');
  const err = openSync(join(dir, 'ci.log'), 'w');
  const child = spawn(file!, args, { detached: true, stdio: ['ignore', out, err], env: { ...process.env, SEA_HARNESS_BOT_JOB: job.root } });
  closeSync(out);
  closeSync(err);
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.on('error', () => resolve(null));
  });
  return { pid: child.pid!, dir, exited, stop: () => signalGroup(child.pid!, 'SIGINT') };
}

function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Whether `pid` is still the ci of this job (a pid may have been reused since the bot died). */
export function isJobProcess(pid: number, root: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`SEA_HARNESS_BOT_JOB=${root}`);
  } catch {
    return false;
  }
}

/** End a ci a killed bot left running, and its process group: SIGINT (ci cleans up), then SIGKILL after `graceMs`. */
export async function endLeftover(pid: number, root: string, graceMs = 30_000): Promise<boolean> {
  if (!isJobProcess(pid, root)) return false;
  signalGroup(pid, 'SIGINT');
  const until = Date.now() + graceMs;
  // A plain timer (util/delay.ts's is unref'd): while the bot recovers, nothing else keeps it alive.
  while (Date.now() < until && existsSync(`/proc/${pid}`) && isJobProcess(pid, root)) await new Promise((r) => setTimeout(r, 250));
  signalGroup(pid, 'SIGKILL');
  return true;
}
