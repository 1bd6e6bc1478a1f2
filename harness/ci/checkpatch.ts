// scripts/checkpatch.pl of the tree under test on each patch of the series, as 0-day and NIPA run it.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from '../util/context.js';
import { run } from '../util/exec.js';
import type { CheckpatchResult } from '../model/ci.js';
import { git, type Workspace } from '../kernel/workspace.js';

/** checkpatch's output as counts and its messages' first lines. Pure. */
export function parseCheckpatch(output: string): CheckpatchResult {
  const total = /total: (\d+) errors?, (\d+) warnings?, (?:(\d+) checks?, )?\d+ lines checked/.exec(output);
  const messages = output.split('\n').filter((l) => /^(ERROR|WARNING|CHECK):/.test(l));
  return {
    errors: Number(total?.[1] ?? messages.filter((m) => m.startsWith('ERROR')).length),
    warnings: Number(total?.[2] ?? messages.filter((m) => m.startsWith('WARNING')).length),
    checks: Number(total?.[3] ?? messages.filter((m) => m.startsWith('CHECK')).length),
    messages,
  };
}

/**
 * Run the checkpatch.pl of `commit` (the base under test, read from the workspace repository: the work tree
 * may be at another revision) with its data files, on each patch text. Null for a patch when the tree has no
 * checkpatch.pl.
 */
export async function checkpatch(ctx: Context, ws: Workspace, commit: string, patches: readonly string[], logPath: string): Promise<Array<CheckpatchResult | null>> {
  const dir = await mkdtemp(join(ws.root, 'checkpatch-'));
  try {
    await mkdir(join(dir, 'scripts'));
    for (const f of ['checkpatch.pl', 'spelling.txt', 'const_structs.checkpatch']) {
      const r = await git(ctx, ws, ['show', `${commit}:scripts/${f}`], { reject: false });
      if (r.exitCode !== 0) {
        if (f === 'checkpatch.pl') return patches.map(() => null);
        continue;
      }
      await writeFile(join(dir, 'scripts', f), r.stdout);
    }
    const results: Array<CheckpatchResult | null> = [];
    for (const [i, text] of patches.entries()) {
      const file = join(dir, `${String(i + 1).padStart(4, '0')}.patch`);
      await writeFile(file, text);
      const r = await run(ctx, 'perl', [join(dir, 'scripts', 'checkpatch.pl'), '--no-tree', '--no-color', '--show-types', file], { stage: 'ci', reject: false, logPath, timeoutMs: 5 * 60_000, sandbox: { purpose: 'checkpatch', writable: [], readable: [dir] } });
      results.push(parseCheckpatch(r.stdout + r.stderr));
    }
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
