// Heartbeats for long stages: a live line on a terminal, and a plain line at least once a minute in a log (CI),
// where progress() shows nothing and a cold kernel build would otherwise look hung for half an hour.
import type { Logger } from './logger.js';

export interface HeartbeatOptions {
  /** Without a live line (stderr is a file or a pipe): how often a plain line is written. Default one minute. */
  readonly everyMs?: number;
  /** On a terminal: how often the live line is redrawn. Default one second. */
  readonly liveMs?: number;
}

/** What a heartbeat says, given the time since it started: `qemu: build step 812/2511, 2 min 5 s`. */
export type Describe = (elapsedMs: number) => string;

interface Beat {
  readonly describe: Describe;
  readonly started: number;
}

interface Channel {
  readonly beats: Beat[];
  readonly timer: ReturnType<typeof setInterval>;
}

/**
 * One timer per logger. A stage's heartbeat often encloses another (the guest image around an apt download):
 * two timers would write two lines a minute, or fight over the one live line. The latest started speaks, the
 * ones it encloses resume when it stops, and the timer keeps its rhythm, so the log is never silent for longer
 * than the period. The first heartbeat's options set that period until the last one stops.
 */
const channels = new WeakMap<Logger, Channel>();

/**
 * Say what a long stage is doing, until the returned function is called (call it in a `finally`; calling it
 * twice is harmless). On a terminal (`log.live`) the live line is redrawn every second; otherwise a plain
 * `log.info` line is written every minute. Nothing is written at the start: the stage says that itself.
 */
export function startHeartbeat(log: Logger, describe: Describe, options: HeartbeatOptions = {}): () => void {
  for (const [name, value] of Object.entries(options)) {
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
      throw new RangeError(`startHeartbeat: ${name} ${String(value)} is not a positive number of milliseconds`);
    }
  }
  const beat: Beat = { describe, started: Date.now() };
  let channel = channels.get(log);
  if (!channel) {
    const live = log.live === true;
    const beats: Beat[] = [];
    const timer = setInterval(() => {
      const top = beats.at(-1);
      if (top) say(log, live, top);
    }, live ? (options.liveMs ?? 1000) : (options.everyMs ?? 60_000));
    // A heartbeat never keeps the process alive: the work it reports on does.
    timer.unref();
    channel = { beats, timer };
    channels.set(log, channel);
  }
  const c = channel;
  c.beats.push(beat);
  return () => {
    const i = c.beats.indexOf(beat);
    if (i === -1) return;
    c.beats.splice(i, 1);
    if (c.beats.length > 0) return;
    clearInterval(c.timer);
    if (channels.get(log) === c) channels.delete(log);
  };
}

function say(log: Logger, live: boolean, beat: Beat): void {
  let text: string;
  try {
    text = beat.describe(Date.now() - beat.started);
  } catch (err) {
    // A broken progress line must not bring down the build it describes (a throw here would be uncaught).
    log.debug(`heartbeat: ${(err as Error).message}`);
    return;
  }
  if (live) log.progress(text);
  else log.info(text);
}

/** `45 s`, `12 min 5 s`, `1 h 3 min`: elapsed time in a heartbeat line. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
