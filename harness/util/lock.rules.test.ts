// The host-wide lock file: held while the work runs, released after it (even when it throws), stale locks taken over.
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createContext, type Context } from './context.js';
import { silentLogger } from './logger.js';
import { AbortedError } from './errors.js';
import { withLock } from './lock.js';

function setup(t: Test, onInfo: (message: string) => void = () => {}): { ctx: Context; lock: string; infos: string[]; abort: AbortController } {
  const dir = mkdtempSync(join(tmpdir(), 'sea-lock-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const infos: string[] = [];
  const abort = new AbortController();
  const log = { ...silentLogger, info: (m: string) => (infos.push(m), onInfo(m)) };
  return { ctx: createContext({ cacheDir: dir, log, signal: abort.signal }), lock: join(dir, 'workspace.lock'), infos, abort };
}

/** The pid of a process that has exited: what a run killed by SIGKILL or a power loss leaves in its lock. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  return r.pid!;
}

t.test('a free lock: held with this pid while the work runs, gone afterwards', async (t) => {
  const { ctx, lock, infos } = setup(t);
  const seen = await withLock(ctx, lock, 'workspace', async () => readFileSync(lock, 'utf8'));
  t.equal(seen, `${process.pid}\n`);
  t.notOk(existsSync(lock), 'released');
  t.same(infos, [], 'nothing to wait for, nothing said');
  writeFileSync(lock, 'another run\n');
  t.same(await ctx.cleanup.close(), []);
  t.ok(existsSync(lock), 'the release ran once, not again when the scope closes');
});

t.test('released when the work throws, and the error comes through', async (t) => {
  const { ctx, lock } = setup(t);
  await t.rejects(
    withLock(ctx, lock, 'workspace', async () => {
      throw new Error('git config failed with exit 255');
    }),
    { message: 'git config failed with exit 255' },
  );
  t.notOk(existsSync(lock));
});

t.test('a lock whose holder is gone is taken over', async (t) => {
  const { ctx, lock, infos } = setup(t);
  const pid = deadPid();
  writeFileSync(lock, `${pid}\n`);
  t.equal(await withLock(ctx, lock, 'image', async () => readFileSync(lock, 'utf8')), `${process.pid}\n`);
  t.same(infos, [`waiting for the image lock (${lock}) held by pid ?`], 'said once, after the stale file was removed');
  writeFileSync(lock, 'garbage');
  t.equal(await withLock(ctx, lock, 'image', async () => 'ran'), 'ran', 'a lock file without a pid is stale too');
});

t.test('a lock held by a live process: waits, says who holds it once, goes on when it is released', async (t) => {
  let saidAt = 0;
  const { ctx, lock, infos } = setup(t, () => {
    saidAt = infos.length;
    setTimeout(() => rmSync(lock, { force: true }), 1200);
  });
  writeFileSync(lock, `${process.ppid}\n`);
  t.equal(await withLock(ctx, lock, 'qemu build', async () => readFileSync(lock, 'utf8')), `${process.pid}\n`);
  t.same(infos, [`waiting for the qemu build lock (${lock}) held by pid ${process.ppid}`], 'once, however long it waits');
  t.equal(saidAt, 1);
});

t.test('waiting ends when the run is interrupted, and the holder keeps its lock', async (t) => {
  const { ctx, lock, infos, abort } = setup(t, () => abort.abort());
  writeFileSync(lock, `${process.ppid}\n`);
  let ran = false;
  const err = await withLock(ctx, lock, 'workspace', async () => {
    ran = true;
  }).catch((e: unknown) => e);
  t.type(err, AbortedError);
  t.equal((err as Error).message, 'interrupted while waiting for the workspace lock');
  t.notOk(ran);
  t.equal(readFileSync(lock, 'utf8'), `${process.ppid}\n`);
  t.equal(infos.length, 1);
});

t.test('a lock that cannot be created is an error, not a wait', async (t) => {
  const { ctx } = setup(t);
  await t.rejects(withLock(ctx, join(tmpdir(), 'sea-no-such-dir-for-lock', 'x', 'lock'), 'workspace', async () => 'never'), { code: 'ENOENT' });
});
