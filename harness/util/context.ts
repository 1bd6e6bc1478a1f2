// The context every stage receives: abort signal, cleanup scope, logger and directories.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CleanupScope } from './cleanup.js';
import type { Logger } from './logger.js';
import { silentLogger } from './logger.js';
import type { SandboxMode } from './sandbox.js';

export interface Context {
  /** Aborted on SIGINT/SIGTERM or when --deadline passes. */
  readonly signal: AbortSignal;
  readonly cleanup: CleanupScope;
  readonly log: Logger;
  /** Root of every cache: apt lists, debs, workspaces, artifact store, images. */
  readonly cacheDir: string;
  /** How the code a series brings runs on the host (`--no-sandbox`: off). */
  readonly sandbox: SandboxMode;
}

/** `$SEA_HARNESS_CACHE`, else `~/.cache/sea-harness`. */
export function defaultCacheDir(): string {
  return process.env.SEA_HARNESS_CACHE || join(homedir(), '.cache', 'sea-harness');
}

export function createContext(options: Partial<Context> = {}): Context {
  return {
    signal: options.signal ?? new AbortController().signal,
    cleanup: options.cleanup ?? new CleanupScope(),
    log: options.log ?? silentLogger,
    cacheDir: options.cacheDir ?? defaultCacheDir(),
    sandbox: options.sandbox ?? 'bubblewrap',
  };
}
