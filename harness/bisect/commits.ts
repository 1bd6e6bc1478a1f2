// Reading the user's kernel git tree (never writing to it): revisions, subjects, what a commit touches.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Context } from '../util/context.js';
import { run } from '../util/exec.js';
import { UsageError } from '../util/errors.js';
import type { CommitInfo } from '../model/bisect.js';

function userGit(ctx: Context, dir: string, args: readonly string[]) {
  return run(ctx, 'git', ['-C', dir, ...args], { stage: 'bisect', reject: false, timeoutMs: 5 * 60_000 });
}

/** The absolute path of a git tree (work tree or bare), or a UsageError naming the option. */
export async function checkGitTree(ctx: Context, dir: string, option = '--kernel'): Promise<string> {
  const abs = resolve(dir);
  if (!(await stat(abs).catch(() => null))?.isDirectory()) throw new UsageError(`${option} ${dir}: not a directory`, 'give the top directory of a kernel git tree');
  const r = await userGit(ctx, abs, ['rev-parse', '--git-dir']);
  if (r.exitCode !== 0) throw new UsageError(`${option} ${dir}: not a git tree (${r.stderr.trim() || 'git rev-parse failed'})`, 'bisect needs the history: clone the kernel with git, or `git init` and commit');
  return abs;
}

/** A revision as a full commit hash, or a UsageError naming the option and the tree. */
export async function resolveCommit(ctx: Context, dir: string, rev: string, option: string): Promise<string> {
  const r = await userGit(ctx, dir, ['rev-parse', '--verify', '-q', `${rev}^{commit}`]);
  if (r.exitCode !== 0) throw new UsageError(`${option} ${rev}: no such revision in ${dir}`, `check \`git -C ${dir} log --oneline\``);
  return r.stdout.trim();
}

export async function isAncestor(ctx: Context, dir: string, ancestor: string, of: string): Promise<boolean> {
  return (await userGit(ctx, dir, ['merge-base', '--is-ancestor', ancestor, of])).exitCode === 0;
}

export async function commitSubject(ctx: Context, dir: string, commit: string): Promise<string> {
  const r = await userGit(ctx, dir, ['log', '-1', '--format=%s', commit]);
  return r.exitCode === 0 ? r.stdout.trim() : '(subject unavailable)';
}

export async function commitInfo(ctx: Context, dir: string, commit: string): Promise<CommitInfo> {
  const r = await userGit(ctx, dir, ['show', '--no-patch', '--format=%H%n%P%n%an <%ae>%n%aI%n%s', commit]);
  const [hash = commit, parents = '', author = '', date = '', subject = ''] = r.stdout.split('\n');
  // Files touched, against the first parent (a merge's own changes as the mainline saw them).
  const files = await userGit(ctx, dir, ['diff-tree', '--no-commit-id', '--name-only', '-r', '-m', '--first-parent', '--root', commit]);
  return {
    commit: hash,
    subject,
    author,
    date,
    parents: parents.split(' ').filter(Boolean),
    files: [...new Set(files.stdout.split('\n').filter(Boolean))],
  };
}

/**
 * Reasons to doubt a culprit (syzbot's and KernelCI's known false culprits): a merge, or a commit that
 * touches nothing a kernel or selftest build reads (documentation only).
 */
export function culpritDoubts(info: CommitInfo): string[] {
  const doubts: string[] = [];
  if (info.parents.length > 1) doubts.push('it is a merge: the change that broke the case is in one of its branches; bisect that branch');
  const code = info.files.filter((f) => !/^(Documentation\/|MAINTAINERS$|CREDITS$|README|LICENSES\/|\.mailmap$)/.test(f));
  if (info.files.length > 0 && code.length === 0) doubts.push('it touches only documentation, which no build reads: suspect a flaky case or the environment');
  return doubts;
}
