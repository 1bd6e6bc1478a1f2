// Kernel make invocations: always ARCH=arm64, the cross compiler, and the workspace's one O= directory.
// No ccache: with the build directory kept, ccache only adds ~35% CPU to a cold build here (README).
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { SandboxPolicy } from '../util/sandbox.js';
import type { Workspace } from './workspace.js';

export function jobs(): number {
  return Math.max(1, availableParallelism());
}

export function makeArgs(ws: Workspace, extra: readonly string[]): string[] {
  return ['-C', ws.src, `O=${ws.build}`, 'ARCH=arm64', `CROSS_COMPILE=${ws.toolchain.crossCompile}`, ...extra];
}

/**
 * The environment of every make whose messages are parsed or shown in reports: plain ASCII quotes and English
 * messages. Kbuild unexports LC_ALL, so LANG and LC_CTYPE/LC_MESSAGES are what reach gcc.
 */
export const C_LOCALE: Readonly<Record<string, string>> = { LANG: 'C', LC_CTYPE: 'C', LC_MESSAGES: 'C', LC_ALL: 'C' };

/** gcc's typographic quotes as ASCII ones (what a locale that still slipped through leaves behind). */
export function asciiQuotes(line: string): string {
  return line.replace(/[\u2018\u2019]/g, "'");
}

/**
 * The sandbox of every make in the workspace (config, Image, headers, selftests, W=1): the work tree and the build
 * directory writable, the workspace's git repository read-only (a series must not rewrite the base the next run
 * builds), nothing else of the cache visible.
 */
export function workspaceSandbox(ws: Workspace, purpose: string): SandboxPolicy {
  return { purpose, writable: [ws.src, ws.build], readOnlyWithin: [join(ws.src, '.git')] };
}
