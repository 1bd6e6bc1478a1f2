// Reading the L1's serial console: boot milestones, crashes (panic, oops, BUG) and warnings, line by line.
import type { KernelWarning } from '../model/result.js';

export type Milestone = 'firmware' | 'kernel' | 'userspace' | 'sshd-ready';

export type ConsoleEvent =
  | { readonly type: 'milestone'; readonly milestone: Milestone; readonly line: string }
  | { readonly type: 'crash'; readonly line: string }
  | { readonly type: 'warning'; readonly warning: KernelWarning };

/** Markers printed by images/init.sh. */
export const USERSPACE_MARKER = 'sea-harness: userspace started';
export const SSHD_MARKER = 'sea-harness: sshd ready';

const RULES: ReadonlyArray<{ re: RegExp; event: (line: string) => ConsoleEvent }> = [
  // Lockups and stalls print "BUG:" too: they must be matched before the BUG rule (they are warnings).
  { re: /BUG: soft lockup/, event: (line) => ({ type: 'warning', warning: { kind: 'soft-lockup', line } }) },
  { re: /BUG: workqueue lockup/, event: (line) => ({ type: 'warning', warning: { kind: 'soft-lockup', line } }) },
  { re: /Watchdog detected hard LOCKUP|watchdog: .*hard LOCKUP/i, event: (line) => ({ type: 'warning', warning: { kind: 'hard-lockup', line } }) },
  { re: /rcu: INFO: \S+ (self-)?detected stalls?|rcu_\w+ (self-)?detected stall/, event: (line) => ({ type: 'warning', warning: { kind: 'rcu-stall', line } }) },
  { re: /INFO: task \S+ blocked for more than \d+ seconds/, event: (line) => ({ type: 'warning', warning: { kind: 'hung-task', line } }) },
  { re: /UBSAN: /, event: (line) => ({ type: 'warning', warning: { kind: 'ubsan', line } }) },
  { re: /Kernel panic - not syncing/, event: (line) => ({ type: 'crash', line }) },
  { re: /Internal error: .*Oops|Internal error: Oops/, event: (line) => ({ type: 'crash', line }) },
  { re: /Unable to handle kernel /, event: (line) => ({ type: 'crash', line }) },
  { re: /kernel BUG at |\bBUG: /, event: (line) => ({ type: 'crash', line }) },
  { re: /(^|\] )WARNING: /, event: (line) => ({ type: 'warning', warning: { kind: 'warning', line } }) },
  { re: /UEFI firmware|BdsDxe: |EFI stub: Booting Linux Kernel/, event: (line) => ({ type: 'milestone', milestone: 'firmware', line }) },
  { re: /Booting Linux on physical CPU/, event: (line) => ({ type: 'milestone', milestone: 'kernel', line }) },
];

/** Strip what the console adds around a line: CR, ANSI escapes from the firmware. */
export function cleanConsoleLine(raw: string): string {
  // eslint-disable-next-line no-control-regex
  return raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '').trimEnd();
}

export function classifyConsoleLine(raw: string): ConsoleEvent | null {
  const line = cleanConsoleLine(raw);
  if (line.includes(SSHD_MARKER)) return { type: 'milestone', milestone: 'sshd-ready', line };
  if (line.includes(USERSPACE_MARKER)) return { type: 'milestone', milestone: 'userspace', line };
  for (const rule of RULES) if (rule.re.test(line)) return rule.event(line);
  return null;
}

/** Splits a byte stream into lines and keeps the console's recent history and findings. */
export class ConsoleWatcher {
  readonly #tail: string[] = [];
  #pending = '';
  readonly milestones = new Map<Milestone, number>();
  readonly crashes: string[] = [];
  readonly warnings: KernelWarning[] = [];
  /** Every line seen, numbered, so a case can take the lines printed while it ran. */
  lineCount = 0;
  readonly #lines: string[] = [];
  readonly #listeners = new Set<(e: ConsoleEvent, line: string) => void>();

  constructor(private readonly startedAt = Date.now()) {}

  onEvent(fn: (e: ConsoleEvent, line: string) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  push(chunk: string): void {
    this.#pending += chunk;
    const parts = this.#pending.split('\n');
    this.#pending = parts.pop() ?? '';
    for (const p of parts) this.#line(p);
    // A line without a newline yet can still be a marker (the prompt-less console of /init prints whole lines).
  }

  end(): void {
    if (this.#pending) this.#line(this.#pending);
    this.#pending = '';
  }

  #line(raw: string): void {
    const line = cleanConsoleLine(raw);
    this.lineCount++;
    this.#lines.push(line);
    this.#tail.push(line);
    if (this.#tail.length > 60) this.#tail.shift();
    const e = classifyConsoleLine(line);
    if (!e) return;
    if (e.type === 'milestone' && !this.milestones.has(e.milestone)) this.milestones.set(e.milestone, Date.now() - this.startedAt);
    if (e.type === 'crash') this.crashes.push(e.line);
    if (e.type === 'warning') this.warnings.push(e.warning);
    for (const fn of this.#listeners) fn(e, line);
  }

  tail(n = 25): string {
    return this.#tail.slice(-n).join('\n');
  }

  linesSince(index: number): string[] {
    return this.#lines.slice(index);
  }
}
