// Running the real CLI from tests: the built bin/sea-harness.js as a child process, timed, output kept.
import { execa, type ResultPromise } from 'execa';
import { execFileSync } from 'node:child_process';
import { CLI } from './paths.js';

export interface CliResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

export async function runCli(args: readonly string[], options: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<CliResult> {
  const t = Date.now();
  const r = await execa('node', [CLI, ...args], { reject: false, timeout: options.timeoutMs ?? 30 * 60_000, env: options.env, stdin: 'ignore' });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr), durationMs: Date.now() - t };
}

export function spawnCli(args: readonly string[]): ResultPromise {
  return execa('node', [CLI, ...args], { reject: false, stdin: 'ignore', buffer: true, all: false });
}

/**
 * PIDs of qemu-system-aarch64 processes whose command line mentions `needle` (e.g. a test's out dir): QEMU itself,
 * not the bubblewrap processes around it (their command lines name QEMU too, but start with bwrap).
 */
export function qemuPids(needle: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', `^(\\S*/)?qemu-system-aarch64 .*${needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** Wait until `predicate` holds, polling; false on timeout. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 200): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await predicate()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return false;
}

/** For slow tests: print how long they took (the README's time table is built from these lines). */
export function timed(t: { comment: (...a: unknown[]) => void }, label: string, ms: number): void {
  t.comment(`duration: ${label}: ${(ms / 1000).toFixed(1)} s`);
}
