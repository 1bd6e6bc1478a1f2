// Heartbeats: a plain line a minute in a log, a live line each second on a terminal, nested ones one at a time.
import { mock } from 'node:test';
import { Writable } from 'node:stream';
import t, { type Test } from 'tap';
import { type Logger, silentLogger, streamLogger } from './logger.js';
import { formatElapsed, startHeartbeat } from './progress.js';

/** A logger that records what it was asked to write; `live` as a terminal's or a CI log's would be. */
function recorder(live: boolean | undefined) {
  const lines: { kind: 'info' | 'progress' | 'debug' | 'warn'; text: string }[] = [];
  const log: Logger = {
    info: (text) => lines.push({ kind: 'info', text }),
    warn: (text) => lines.push({ kind: 'warn', text }),
    debug: (text) => lines.push({ kind: 'debug', text }),
    progress: (text) => lines.push({ kind: 'progress', text }),
    ...(live === undefined ? {} : { live }),
  };
  return { log, lines, of: (kind: string) => lines.filter((l) => l.kind === kind).map((l) => l.text) };
}

/** Fake setInterval and Date; advanced one period at a time so each tick sees its own Date.now(). */
function fakeClock(t: Test) {
  mock.timers.enable({ apis: ['setInterval', 'Date'], now: 0 });
  t.teardown(() => mock.timers.reset());
  return (ms: number, step = 1000) => {
    for (let done = 0; done < ms; done += step) mock.timers.tick(Math.min(step, ms - done));
  };
}

t.test('not a terminal: a plain line every minute, with the time since the start, and none after stop', async (t) => {
  const advance = fakeClock(t);
  const r = recorder(false);
  const stop = startHeartbeat(r.log, (ms) => `build: step 3, ${formatElapsed(ms)}`);
  advance(59_000);
  t.same(r.lines, [], 'nothing before the first minute: the stage announced itself');
  advance(1000);
  advance(120_000);
  t.same(r.of('info'), ['build: step 3, 1 min 0 s', 'build: step 3, 2 min 0 s', 'build: step 3, 3 min 0 s']);
  t.same(r.of('progress'), [], 'the transient line would be dropped in a log');
  stop();
  advance(180_000);
  t.equal(r.lines.length, 3, 'silent once stopped');
});

t.test('a logger without `live` (written before it existed) is treated as a log', async (t) => {
  const advance = fakeClock(t);
  const r = recorder(undefined);
  const stop = startHeartbeat(r.log, () => 'still working');
  advance(120_000);
  stop();
  t.same(r.of('info'), ['still working', 'still working']);
});

t.test('a terminal: the live line is redrawn every second, and no line is logged', async (t) => {
  const advance = fakeClock(t);
  const r = recorder(true);
  let step = 0;
  const stop = startHeartbeat(r.log, (ms) => `step ${++step} at ${ms} ms`);
  advance(5000);
  stop();
  advance(5000);
  t.same(r.of('progress'), ['step 1 at 1000 ms', 'step 2 at 2000 ms', 'step 3 at 3000 ms', 'step 4 at 4000 ms', 'step 5 at 5000 ms']);
  t.same(r.of('info'), []);
});

t.test('everyMs and liveMs set the periods', async (t) => {
  const advance = fakeClock(t);
  const log = recorder(false);
  const tty = recorder(true);
  const stopLog = startHeartbeat(log.log, () => 'log', { everyMs: 10_000, liveMs: 1 });
  const stopTty = startHeartbeat(tty.log, () => 'tty', { everyMs: 1, liveMs: 5000 });
  advance(30_000);
  stopLog();
  stopTty();
  t.equal(log.of('info').length, 3);
  t.equal(tty.of('progress').length, 6);
});

t.test('nested heartbeats: the inner one speaks while it runs, the outer resumes on the same beat', async (t) => {
  const advance = fakeClock(t);
  const r = recorder(false);
  const stopOuter = startHeartbeat(r.log, () => 'image: building');
  advance(90_000);
  const stopInner = startHeartbeat(r.log, (ms) => `apt: downloading, ${formatElapsed(ms)}`);
  advance(150_000);
  stopInner();
  advance(60_000);
  stopOuter();
  advance(60_000);
  // Lines at 60, 120, 180, 240 and 300 s: one a minute throughout, the inner one's while it ran (90 to 240 s).
  t.same(r.of('info'), ['image: building', 'apt: downloading, 30 s', 'apt: downloading, 1 min 30 s', 'apt: downloading, 2 min 30 s', 'image: building']);
});

t.test('stopping twice, or out of order, is harmless; a new heartbeat after the last stop starts afresh', async (t) => {
  const advance = fakeClock(t);
  const r = recorder(false);
  const stopA = startHeartbeat(r.log, () => 'a');
  const stopB = startHeartbeat(r.log, () => 'b');
  stopA();
  stopA();
  advance(60_000);
  stopB();
  stopB();
  advance(60_000);
  const stopC = startHeartbeat(r.log, () => 'c', { everyMs: 1000 });
  advance(2000);
  stopC();
  t.same(r.of('info'), ['b', 'c', 'c']);
});

t.test('a describe that throws is reported at debug level and does not stop the heartbeat', async (t) => {
  const advance = fakeClock(t);
  const r = recorder(false);
  let n = 0;
  const stop = startHeartbeat(r.log, () => {
    if (++n === 1) throw new Error('no step yet');
    return `step ${n}`;
  });
  advance(120_000);
  stop();
  t.same(r.lines, [
    { kind: 'debug', text: 'heartbeat: no step yet' },
    { kind: 'info', text: 'step 2' },
  ]);
});

t.test('a period that is not a positive number is refused with the value', async (t) => {
  t.throws(() => startHeartbeat(silentLogger, () => '', { everyMs: 0 }), { name: 'RangeError', message: /everyMs 0 is not a positive number/ });
  t.throws(() => startHeartbeat(silentLogger, () => '', { liveMs: Number.NaN }), { message: /liveMs NaN/ });
});

t.test('streamLogger is live only on a terminal; silentLogger is not live', async (t) => {
  const sink = (isTTY: boolean) => {
    const chunks: string[] = [];
    const stream = Object.assign(
      new Writable({
        write(chunk, _enc, done) {
          chunks.push(String(chunk));
          done();
        },
      }),
      { isTTY },
    );
    return { stream, chunks };
  };
  const pipe = sink(false);
  const log = streamLogger(pipe.stream);
  t.equal(log.live, false);
  log.progress('dropped');
  log.info('kept');
  t.same(pipe.chunks, ['kept\n']);
  const tty = sink(true);
  t.equal(streamLogger(tty.stream).live, true);
  t.equal(silentLogger.live, false);
});

t.test('formatElapsed', async (t) => {
  t.equal(formatElapsed(0), '0 s');
  t.equal(formatElapsed(59_400), '59 s');
  t.equal(formatElapsed(60_000), '1 min 0 s');
  t.equal(formatElapsed(725_000), '12 min 5 s');
  t.equal(formatElapsed(3_780_000), '1 h 3 min');
  t.equal(formatElapsed(-5), '0 s');
});
