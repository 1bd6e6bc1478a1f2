// The host-wide lock's rules: held by the kernel while the work runs, released after it (even when it throws, when
// the scope closes, when its holder is killed), what the lock file says decides nothing, waiting said once and ended
// by an interrupt. lock.stress.test.ts checks the exclusion itself under load.
import t, { type Test } from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createContext, type Context } from './context.js';
import { silentLogger } from './logger.js';
import { AbortedError, HarnessError, formatCommand } from './errors.js';
import { describeHolder, holderLine, withLock } from './lock.js';
import { openers } from '../test-support/open-files.js';

function setup(t: Test, onInfo: (message: string) => void = () => {}): { ctx: Context; lock: string; infos: string[]; abort: AbortController } {
  const dir = mkdtempSync(join(tmpdir(), 'sea-lock-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const infos: string[] = [];
  const abort = new AbortController();
  const log = { ...silentLogger, info: (m: string) => (infos.push(m), onInfo(m)) };
  return { ctx: createContext({ cacheDir: dir, log, signal: abort.signal }), lock: join(dir, 'workspace.lock'), infos, abort };
}

/** Whether another open file description holds the lock, asked the way an outsider would: `flock -n`. */
function taken(lock: string): boolean {
  const r = spawnSync('flock', ['-x', '-n', '-E', '75', lock, 'true']);
  if (r.status !== 0 && r.status !== 75) throw new Error(`flock -n ${lock}: ${r.status} ${String(r.stderr)}`);
  return r.status === 75;
}

/** A promise and the function that settles it: the work of a holder that runs until the test lets it go. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

/** Hold `lock` in this process, through a second open file description, until the returned function is called. */
async function holdInProcess(t: Test, lock: string): Promise<{ letGo: () => void; done: Promise<unknown> }> {
  const entered = gate();
  const leave = gate();
  const done = withLock(createContext({ cacheDir: tmpdir() }), lock, 'workspace', async () => {
    entered.open();
    await leave.opened;
  });
  await entered.opened;
  t.teardown(() => leave.open());
  return { letGo: leave.open, done };
}

t.test('the holder line: pid, start time and command, one line, the command cut to 200 characters', async (t) => {
  const line = holderLine({ pid: 4242, since: '2026-12-05T06:00:00.000Z', command: 'node bin/sea-harness.js ci --series s' });
  t.equal(line, '4242 2026-12-05T06:00:00.000Z node bin/sea-harness.js ci --series s\n');
  t.equal(describeHolder(line), 'pid 4242 (node bin/sea-harness.js ci --series s) since 2026-12-05T06:00:00.000Z');
  const long = holderLine({ pid: 1, since: 's', command: 'x'.repeat(300) });
  t.equal(long, `1 s ${'x'.repeat(197)}...\n`);
  t.equal(holderLine({ pid: 1, since: 's', command: 'x'.repeat(200) }), `1 s ${'x'.repeat(200)}\n`, 'exactly 200 is kept whole');
  t.equal(holderLine({ pid: 1, since: 's', command: 'a\nb\nc' }), '1 s a b c\n');
  const unknown = 'another process (it has not written its name yet)';
  t.equal(describeHolder(''), unknown, 'taken, not yet written (or emptied on release)');
  t.equal(describeHolder('1234\n'), unknown, 'what the lock before this one wrote');
  t.equal(describeHolder('x 2026 cmd\n'), unknown);
  t.equal(describeHolder('12 2026 cmd\n34 2027 other\n'), 'pid 12 (cmd) since 2026', 'the first line only');
});

t.test('a free lock: held with this process named in the file while the work runs, free and emptied afterwards', async (t) => {
  const { ctx, lock, infos } = setup(t);
  const before = new Date().toISOString();
  const seen = await withLock(ctx, lock, 'workspace', async () => ({ text: readFileSync(lock, 'utf8'), taken: taken(lock) }));
  t.ok(seen.taken, 'an outsider cannot take it meanwhile');
  const since = seen.text.split(' ')[1]!;
  t.equal(seen.text, holderLine({ pid: process.pid, since, command: formatCommand(process.argv) }));
  t.ok(since >= before && since <= new Date().toISOString(), `since ${since}: when it was taken`);
  t.notOk(taken(lock), 'released');
  t.equal(readFileSync(lock, 'utf8'), '', 'the file stays (removing it would split waiters over two inodes), empty');
  t.same(infos, [], 'nothing to wait for, nothing said');
  t.same(openers(lock), [], 'no descriptor left open');
  writeFileSync(lock, 'another run\n');
  t.same(await ctx.cleanup.close(), []);
  t.equal(readFileSync(lock, 'utf8'), 'another run\n', 'the release ran once, not again when the scope closes');
});

t.test('released when the work throws, and the error comes through', async (t) => {
  const { ctx, lock } = setup(t);
  await t.rejects(
    withLock(ctx, lock, 'workspace', async () => {
      throw new Error('git config failed with exit 255');
    }),
    { message: 'git config failed with exit 255' },
  );
  t.notOk(taken(lock));
  t.same(openers(lock), []);
});

t.test('what the file says decides nothing: a dead pid, garbage or a live pid in a free lock is no wait', async (t) => {
  const { ctx, lock, infos } = setup(t);
  const dead = spawnSync(process.execPath, ['-e', '']).pid!;
  for (const text of [`${dead}\n`, 'garbage', `${process.ppid}\n`, holderLine({ pid: process.ppid, since: '2026-12-05T06:00:00.000Z', command: 'ci' })]) {
    t.equal(await withLock(ctx, lock, 'image', async () => readFileSync(lock, 'utf8').split(' ')[0]), String(process.pid), JSON.stringify(text));
    writeFileSync(lock, text);
  }
  t.same(infos, []);
});

t.test('a held lock: waits, says who holds it once, goes on the moment it is released', async (t) => {
  const { ctx, lock, infos } = setup(t);
  const holder = await holdInProcess(t, lock);
  const holderText = readFileSync(lock, 'utf8');
  let ranAt = 0;
  const waiter = withLock(ctx, lock, 'qemu build', async () => {
    ranAt = performance.now();
    return readFileSync(lock, 'utf8');
  });
  await new Promise((r) => setTimeout(r, 600));
  t.equal(ranAt, 0, 'not while the holder holds it');
  t.same(infos, [`waiting for the qemu build lock (${lock}) held by ${describeHolder(holderText)}`], 'once, however long it waits');
  const releasedAt = performance.now();
  holder.letGo();
  await holder.done;
  const text = await waiter;
  t.equal(text.split(' ')[0], String(process.pid), 'the waiter named itself');
  t.ok(ranAt - releasedAt < 1000, `ran ${Math.round(ranAt - releasedAt)} ms after the release`);
  t.equal(infos.length, 1);
});

t.test('waiting ends when the run is interrupted; the holder keeps its lock, no helper is left', async (t) => {
  const { ctx, lock, infos, abort } = setup(t, () => abort.abort(new AbortedError('--deadline of 60 s reached', 'deadline')));
  const holder = await holdInProcess(t, lock);
  let ran = false;
  const err = await withLock(ctx, lock, 'workspace', async () => {
    ran = true;
  }).catch((e: unknown) => e);
  t.type(err, AbortedError);
  t.equal((err as AbortedError).message, 'interrupted while waiting for the workspace lock');
  t.equal((err as AbortedError).abortCause, 'deadline', 'a deadline stays a deadline (exit 3, not 130)');
  t.notOk(ran);
  t.equal(infos.length, 1);
  t.same(openers(lock), [process.pid], "only the holder's descriptor, in this process: the waiting flock(1) is gone");
  t.ok(taken(lock), 'still held');
  holder.letGo();
  await holder.done;
  t.notOk(taken(lock), 'free once the holder is done: the killed helper took nothing with it');
});

t.test('an interrupt before a wait: a free lock is still taken, a held one is not waited for', async (t) => {
  const { ctx, lock, infos, abort } = setup(t);
  abort.abort();
  t.equal(await withLock(ctx, lock, 'workspace', async () => 'ran'), 'ran');
  const holder = await holdInProcess(t, lock);
  await t.rejects(withLock(ctx, lock, 'workspace', async () => 'never'), AbortedError);
  t.same(infos, [], 'no waiting message either');
  holder.letGo();
  await holder.done;
});

t.test('the cleanup scope closing ends a wait too', async (t) => {
  const { ctx, lock } = setup(t);
  const holder = await holdInProcess(t, lock);
  const waiter = withLock(ctx, lock, 'workspace', async () => 'never').catch((e: unknown) => e);
  await new Promise((r) => setTimeout(r, 300));
  t.same(await ctx.cleanup.close(), []);
  t.type(await waiter, AbortedError);
  t.same(openers(lock), [process.pid]);
  holder.letGo();
  await holder.done;
});

t.test('a holder killed with SIGKILL: its lock is free at once, with nothing to take over', async (t) => {
  const { ctx, lock, infos } = setup(t);
  // Another process holding it the same way (flock(1) on a descriptor shared with node), in plain JavaScript.
  const script = `const fd = require('fs').openSync(process.argv[1], 'a+');
    const r = require('child_process').spawnSync('flock', ['-x', '3'], { stdio: ['ignore', 'ignore', 'inherit', fd] });
    console.log(r.status === 0 ? 'held' : 'failed'); setInterval(() => {}, 1e6);`;
  const child = spawn(process.execPath, ['-e', script, lock], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => child.kill('SIGKILL'));
  t.equal(await new Promise((r) => child.stdout.once('data', (d: Buffer) => r(d.toString().trim()))), 'held');
  let killedAt = 0;
  const waited = withLock(ctx, lock, 'workspace', async () => performance.now() - killedAt);
  while (infos.length === 0) await new Promise((r) => setTimeout(r, 20));
  killedAt = performance.now();
  child.kill('SIGKILL');
  const after = await waited;
  t.ok(after < 1000, `taken ${Math.round(after)} ms after the kill`);
  t.same(infos, [`waiting for the workspace lock (${lock}) held by another process (it has not written its name yet)`]);
});

t.test('a lock that cannot be created is an error, not a wait', async (t) => {
  const { ctx } = setup(t);
  await t.rejects(withLock(ctx, join(tmpdir(), 'sea-no-such-dir-for-lock', 'x', 'lock'), 'workspace', async () => 'never'), { code: 'ENOENT' });
});

t.test('without flock(1): an error naming util-linux, and the file closed', async (t) => {
  const { ctx, lock } = setup(t);
  const path = process.env.PATH;
  process.env.PATH = '/nonexistent';
  t.teardown(() => void (process.env.PATH = path));
  const err = await withLock(ctx, lock, 'workspace', async () => 'never').catch((e: unknown) => e);
  process.env.PATH = path;
  t.type(err, HarnessError);
  t.match((err as HarnessError).message, /^cannot run flock\(1\) to take a lock: /);
  t.same((err as HarnessError).command, ['flock', '-x', '-n', '-E', '75', '3']);
  t.match((err as HarnessError).hint, /util-linux/);
  t.same(openers(lock), []);
});

/** A directory holding a `flock` that does `script` (a stand-in for a broken util-linux, put first on PATH). */
function fakeFlock(t: Test, script: string): void {
  const bin = mkdtempSync(join(tmpdir(), 'sea-fake-flock-'));
  writeFileSync(join(bin, 'flock'), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  const path = process.env.PATH;
  process.env.PATH = `${bin}:${path}`;
  t.teardown(() => {
    process.env.PATH = path;
    rmSync(bin, { recursive: true, force: true });
  });
}

t.test('flock(1) failing (not "busy"): an error with its exit code and its message, and the file closed', async (t) => {
  const { ctx, lock } = setup(t);
  fakeFlock(t, 'echo "flock: 3: Bad file descriptor" >&2; exit 1');
  const err = await withLock(ctx, lock, 'workspace', async () => 'never').catch((e: unknown) => e);
  t.type(err, HarnessError);
  t.equal((err as HarnessError).message, 'flock(1) failed with exit 1 while taking a lock');
  t.same((err as HarnessError).command, ['flock', '-x', '-n', '-E', '75', '3']);
  t.match((err as HarnessError).outputTail, /flock: 3: Bad file descriptor/);
  t.same(openers(lock), []);
});

t.test('flock(1) killed by a signal nobody sent on purpose: an error naming the signal, not "interrupted"', async (t) => {
  const { ctx, lock } = setup(t);
  fakeFlock(t, 'kill -TERM $$');
  const err = await withLock(ctx, lock, 'workspace', async () => 'never').catch((e: unknown) => e);
  t.type(err, HarnessError);
  t.notOk(err instanceof AbortedError);
  t.equal((err as HarnessError).message, 'flock(1) failed with signal SIGTERM while taking a lock');
});

t.test('a holder line is read only from its start: text with digits in the middle names no one', async (t) => {
  t.equal(describeHolder('pid=42 since sea-harness ci'), 'another process (it has not written its name yet)');
  t.equal(describeHolder('42 2026-12-05T08:00:00.000Z sea-harness ci'), 'pid 42 (sea-harness ci) since 2026-12-05T08:00:00.000Z');
});
