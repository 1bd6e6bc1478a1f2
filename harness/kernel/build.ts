// The kernel build: an incremental `make Image` in the workspace's build directory, or nothing on a store hit.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from '../util/context.js';
import { run } from '../util/exec.js';
import { BuildFailedError, tailLines } from '../util/errors.js';
import { formatElapsed, startHeartbeat } from '../util/progress.js';
import { C_LOCALE, asciiQuotes, jobs, makeArgs, workspaceSandbox } from './make.js';
import { lookupKernel, storeKernel, type KernelArtifact, type StoreExtras, type StoreKeyParts } from './store.js';
import type { Workspace } from './workspace.js';

export interface BuildOutcome extends KernelArtifact {
  /** Objects compiled by this make (0 on a store hit): the proof that a rebuild was incremental. */
  readonly compiled: number;
  readonly logPath: string;
  /** Of buildMs: writing and verifying the .config (allnoconfig, fragments, olddefconfig) before make. */
  readonly configMs: number;
}

/** `file:line:col: error: ...` lines, first ones first: what a person needs from a failed build. */
export function firstCompilerErrors(log: string, max = 10): string[] {
  const out: string[] = [];
  for (const line of log.split('\n')) {
    if (/^[^\s:]+:\d+(:\d+)?: (fatal )?error: /.test(line) || /^ld(\.bfd)?: .*(undefined reference|multiple definition)/.test(line) || /\berror: ld returned/.test(line)) {
      out.push(line.trim());
      if (out.length >= max) break;
    }
  }
  return out;
}

/**
 * When no compiler error explains a failed make: the last line a failing recipe printed before make's first
 * `*** [...] Error N` (a Makefile rule of the series, a script, the sandbox refusing a connection or a write).
 */
export function failedRecipeLine(log: string): string | null {
  const lines = log.split('\n');
  const stop = lines.findIndex((l) => /^make(\[\d+\])?: \*\*\* .*Error \d+/.test(l));
  if (stop < 0) return null;
  for (let i = stop - 1; i >= 0; i--) {
    const l = lines[i]!.trim();
    if (l !== '' && !/^make(\[\d+\])?: /.test(l) && !kbuildStep(lines[i]!)) return l;
  }
  return null;
}

/** Count and name compile steps from kbuild's short output (`  CC      arch/arm64/kvm/guest.o`). */
export function kbuildStep(line: string): { verb: string; file: string } | null {
  const m = /^\s{2}([A-Z][A-Z0-9_]*(?: \[[A-Z]\])?)\s+(\S+)$/.exec(line);
  return m ? { verb: m[1]!, file: m[2]! } : null;
}

export interface BuildHooks {
  /** Runs on a store miss, before make: writes and verifies the .config. */
  readonly beforeMake?: () => Promise<void>;
  /** Skip the store lookup (the result still replaces the store entry). */
  readonly rebuild?: boolean;
  /** More make variables (a variant's: `GCOV_PROFILE_guest.o=y`). */
  readonly makeVariables?: readonly string[];
  /** Build-directory files the store entry keeps (the variant's .gcno notes). */
  readonly extras?: StoreExtras;
}

export async function buildKernel(ctx: Context, ws: Workspace, parts: StoreKeyParts, release: string | null, logPath: string, hooks: BuildHooks = {}): Promise<BuildOutcome> {
  const hit = hooks.rebuild ? null : await lookupKernel(ctx.cacheDir, parts);
  if (hit) {
    ctx.log.info(`build: ${hit.key} from the artifact store (make not started)`);
    await writeStoreHitLog(hit, logPath);
    return { ...hit, compiled: 0, logPath, configMs: 0 };
  }
  const started = Date.now();
  await hooks.beforeMake?.();
  const configMs = Date.now() - started;
  let compiled = 0;
  let current = '';
  const makeTargets = [`-j${jobs()}`, ...(hooks.makeVariables ?? []), 'Image'];
  ctx.log.info(`build: make Image (tree ${parts.tree.slice(0, 12)}, -j${jobs()}${hooks.makeVariables?.length ? `, ${hooks.makeVariables.join(' ')}` : ''})`);
  const stopBeat = startHeartbeat(ctx.log, (ms) => `build: make Image: ${compiled} objects compiled, ${formatElapsed(ms)}${current ? `, now ${current}` : ''}`);
  let r;
  try {
    await writeFile(logPath, `# sea-harness kernel build of tree ${parts.tree}\n`, { flag: 'a' });
    r = await run(ctx, 'make', makeArgs(ws, makeTargets), {
      stage: 'build',
      cwd: ws.src,
      env: C_LOCALE,
      logPath,
      reject: false,
      timeoutMs: 3 * 3600_000,
      sandbox: workspaceSandbox(ws, 'kernel build'),
      onLine: (line) => {
        const step = kbuildStep(line);
        if (!step) return;
        if (step.verb === 'CC' || step.verb === 'AS') compiled++;
        current = step.file;
      },
    });
  } finally {
    stopBeat();
  }
  const buildMs = Date.now() - started;
  if (r.exitCode !== 0) {
    // Paths relative to the tree read better than the workspace's absolute ones.
    const text = `${r.stdout}\n${r.stderr}`;
    const errors = firstCompilerErrors(text).map((e) => asciiQuotes(e.replaceAll(`${ws.src}/`, '')));
    const why = errors[0] ?? failedRecipeLine(text);
    const sandboxed = ctx.sandbox !== 'off';
    throw new BuildFailedError(`the kernel failed to build${sandboxed ? ' in the sandbox' : ''}${why ? `: ${why}` : ''}`, {
      stage: 'build',
      command: ['make', ...makeArgs(ws, makeTargets)],
      outputTail: errors.length ? errors.join('\n') : tailLines(`${r.stdout}${r.stderr}`, 20),
      logPath,
      hint: errors.length
        ? 'fix the compile error in the tree or the series; the full log has the context'
        : sandboxed
          ? 'the build ran in the sandbox (no network, uid 65534, only the work tree and build directory writable): a rule that needs more fails there; the full log has the context'
          : 'the full log has the context',
    });
  }
  ctx.log.info(`build: make Image done in ${Math.round(buildMs / 1000)} s (${compiled} objects compiled)`);
  const art = await storeKernel(ctx.cacheDir, parts, ws.build, release, buildMs, logPath, hooks.extras);
  return { ...art, compiled, logPath, configMs };
}

/** A store hit's build.log: a header saying so, then the log of the build that made the entry. */
export async function writeStoreHitLog(hit: KernelArtifact, logPath: string): Promise<void> {
  const original = await readFile(join(hit.dir, 'build.log'), 'utf8').catch(() => '(the log of the original build was not kept)\n');
  await writeFile(logPath, `# sea-harness: kernel from the artifact store (${hit.dir}); make was not started.\n# The log of the build that produced it follows.\n${original}`);
}

export function buildLogPath(ws: Workspace): string {
  return join(ws.logs, 'build.log');
}
