// `git bisect` kept out of the user's checkout: a bare repository of the bisect's own (objects shared with
// the user's tree, read-only), bisecting with --no-checkout (BISECT_HEAD names the revision to test).
import { join } from 'node:path';
import type { Context } from '../util/context.js';
import { run, type ExecResult } from '../util/exec.js';
import { HarnessError } from '../util/errors.js';

export interface BisectRepo {
  readonly gitDir: string;
}

function bgit(ctx: Context, repo: BisectRepo, args: readonly string[], extra: { logPath?: string; onLine?: (l: string) => void; timeoutMs?: number } = {}): Promise<ExecResult> {
  return run(ctx, 'git', ['-C', repo.gitDir, ...args], { stage: 'bisect', reject: false, timeoutMs: extra.timeoutMs ?? 5 * 60_000, ...extra });
}

/** A bare clone sharing the user's objects (`--shared`): no copy of the history, nothing written to the user's tree. */
export async function createBisectRepo(ctx: Context, kernelDir: string, outDir: string): Promise<BisectRepo> {
  const gitDir = join(outDir, 'bisect.git');
  const r = await run(ctx, 'git', ['clone', '-q', '--bare', '--shared', '--no-tags', kernelDir, gitDir], { stage: 'bisect', reject: false, timeoutMs: 10 * 60_000 });
  if (r.exitCode !== 0) throw new HarnessError(`cannot make the bisect's own repository from ${kernelDir}`, { stage: 'bisect', outputTail: r.stderr, hint: 'check that --kernel is a readable git tree and that --out is writable' });
  return { gitDir };
}

export async function startBisect(ctx: Context, repo: BisectRepo, bad: string, good: string): Promise<void> {
  const r = await bgit(ctx, repo, ['bisect', 'start', '--no-checkout', bad, good]);
  if (r.exitCode !== 0) throw new HarnessError('git bisect start failed', { stage: 'bisect', outputTail: r.stdout + r.stderr });
}

/**
 * `git bisect run` with the step given as absolute paths (git runs it from the bisect repository, where
 * `npx` would find nothing). Its exit code is not a verdict: the log says what it concluded.
 */
export async function runBisect(ctx: Context, repo: BisectRepo, step: readonly string[], logPath: string, onLine: (line: string) => void): Promise<ExecResult> {
  return bgit(ctx, repo, ['bisect', 'run', ...step], { logPath, onLine, timeoutMs: 24 * 3600_000 });
}

export async function bisectLog(ctx: Context, repo: BisectRepo): Promise<string> {
  return (await bgit(ctx, repo, ['bisect', 'log'])).stdout;
}

export async function resetBisect(ctx: Context, repo: BisectRepo): Promise<void> {
  await bgit(ctx, repo, ['bisect', 'reset']);
}

export interface BisectConclusion {
  /** `# first bad commit: [sha] subject`: git named one commit. */
  readonly firstBad: string | null;
  /** `# possible first bad commit: [sha] ...`: skipped steps left several. */
  readonly possible: readonly string[];
}

/** What `git bisect log` concluded (its `# ...` comment lines are stable across git versions since 2.x). */
export function parseBisectLog(log: string): BisectConclusion {
  const sha = (line: string) => /\[([0-9a-f]{40,64})\]/.exec(line)?.[1] ?? null;
  let firstBad: string | null = null;
  const possible: string[] = [];
  for (const line of log.split('\n')) {
    if (line.startsWith('# first bad commit:')) firstBad = sha(line);
    else if (line.startsWith('# possible first bad commit:')) {
      const s = sha(line);
      if (s && !possible.includes(s)) possible.push(s);
    }
  }
  return { firstBad, possible };
}
