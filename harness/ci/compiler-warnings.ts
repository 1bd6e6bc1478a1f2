// Compiler warnings new with the series, as 0-day reports them: the kernel files the series touches rebuilt
// with W=1 on the base and with the series, in the one workspace, and the warnings compared without their
// line numbers (the series moves lines).
import type { Context } from '../util/context.js';
import { run } from '../util/exec.js';
import { C_LOCALE, asciiQuotes, jobs, makeArgs, workspaceSandbox } from '../kernel/make.js';
import { checkoutDetached, type Workspace } from '../kernel/workspace.js';

/** Kernel C files a patch touches (its `diff --git` lines), leaving out tools/, scripts/, samples/ and docs. Pure. */
export function touchedKernelSources(patchTexts: readonly string[]): string[] {
  const files = new Set<string>();
  for (const text of patchTexts) {
    for (const m of text.matchAll(/^diff --git a\/\S+ b\/(\S+)$/gm)) {
      const f = m[1]!;
      if (f.endsWith('.c') && !/^(tools|scripts|samples|Documentation|usr)\//.test(f)) files.add(f);
    }
  }
  return [...files].sort();
}

/** `file:line:col: warning: message [-Wflag]` lines, as `file: warning: message [-Wflag]`. Pure. */
export function compilerWarnings(output: string, srcPrefix: string): string[] {
  const out = new Set<string>();
  for (const line of output.split('\n')) {
    const m = /^(\S+?):\d+(?::\d+)?: warning: (.*)$/.exec(asciiQuotes(line.replaceAll(srcPrefix, '')));
    if (m) out.add(`${m[1]}: warning: ${m[2]}`);
  }
  return [...out];
}

async function w1Warnings(ctx: Context, ws: Workspace, commit: string, files: readonly string[], logPath: string): Promise<string[]> {
  await checkoutDetached(ctx, ws, commit, `${commit.slice(0, 12)} for the W=1 rebuild`);
  // -k: a file the other side does not have (or that this config does not build) must not hide the rest.
  const r = await run(ctx, 'make', makeArgs(ws, [`-j${jobs()}`, '-k', 'W=1', ...files.map((f) => f.replace(/\.c$/, '.o'))]), {
    stage: 'ci',
    env: C_LOCALE,
    reject: false,
    logPath,
    timeoutMs: 30 * 60_000,
    sandbox: workspaceSandbox(ws, 'W=1 rebuild'),
  });
  return compilerWarnings(`${r.stdout}\n${r.stderr}`, `${ws.src}/`);
}

/**
 * W=1 warnings of `files` with the series and not on the base. Call with the workspace lock held. The objects
 * rebuilt with W=1 are rebuilt normally by the next build (kbuild sees the changed command line).
 */
export async function newCompilerWarnings(ctx: Context, ws: Workspace, baseCommit: string, seriesCommit: string, files: readonly string[], logPath: string): Promise<{ base: string[]; series: string[]; added: string[] }> {
  if (files.length === 0) return { base: [], series: [], added: [] };
  const base = await w1Warnings(ctx, ws, baseCommit, files, logPath);
  const series = await w1Warnings(ctx, ws, seriesCommit, files, logPath);
  const known = new Set(base);
  return { base, series, added: series.filter((w) => !known.has(w)) };
}
