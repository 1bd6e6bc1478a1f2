// A host-wide exclusive lock on a file: two runs on one host wait for each other instead of corrupting shared state.
import { open, readFile, rm } from 'node:fs/promises';
import type { Context } from './context.js';
import { AbortedError } from './errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function tryAcquire(path: string): Promise<boolean> {
  try {
    const fh = await open(path, 'wx');
    await fh.writeFile(`${process.pid}\n`);
    await fh.close();
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const holder = Number.parseInt((await readFile(path, 'utf8').catch(() => '')).trim(), 10);
    // A lock left by a process that died (SIGKILL, power loss) is taken over.
    if (!Number.isFinite(holder) || !alive(holder)) {
      await rm(path, { force: true });
      return false;
    }
    return false;
  }
}

/** Hold the lock at `path` while `fn` runs; waits (reporting who holds it) until it is free or ctx is aborted. */
export async function withLock<T>(ctx: Context, path: string, what: string, fn: () => Promise<T>): Promise<T> {
  let reported = false;
  while (!(await tryAcquire(path))) {
    if (ctx.signal.aborted) throw new AbortedError(`interrupted while waiting for the ${what} lock`);
    if (!reported) {
      const holder = (await readFile(path, 'utf8').catch(() => '?')).trim();
      ctx.log.info(`waiting for the ${what} lock (${path}) held by pid ${holder}`);
      reported = true;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const release = ctx.cleanup.defer(`release ${what} lock`, () => rm(path, { force: true }));
  try {
    return await fn();
  } finally {
    await release();
  }
}
