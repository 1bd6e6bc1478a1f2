// The kernel under test in the workspace: a base (Debian's source, a user's tree or one of its revisions)
// checked out in the one work tree, with the series applied on top.
import { access, appendFile, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Context } from '../util/context.js';
import { run } from '../util/exec.js';
import { UsageError } from '../util/errors.js';
import { sha256, shortHash } from '../util/hash.js';
import type { SeriesPatchStatus } from '../model/result.js';
import { DEFAULT_DEBIAN_SERIES, importDebianSource } from './debian-source.js';
import { applySeries, commitSeriesInIndex, type LoadedSeries } from './series.js';
import { checkoutDetached, git, gitCapture, type Workspace } from './workspace.js';

export type SourceSpec =
  | { readonly kind: 'debian'; readonly series: string }
  | { readonly kind: 'tree'; readonly dir: string; readonly ref: string | null };

export const DEFAULT_SOURCE: SourceSpec = { kind: 'debian', series: DEFAULT_DEBIAN_SERIES };

export interface PreparedSource {
  /** For people: "Debian linux-source-7.3 7.3.4-1~bpo13+1", "/path/linux at v7.3-rc1 (abc123...)". */
  readonly description: string;
  readonly baseCommit: string;
  /** The user's commit when the base is a git revision of theirs; null for Debian's source or a snapshot. */
  readonly userCommit: string | null;
  /** The work tree's HEAD after `git am`; null when the store already had this tree and nothing was checked out. */
  readonly headCommit: string | null;
  /** `HEAD^{tree}` after the series: the store key's source part. */
  readonly tree: string;
  readonly release: string | null;
  readonly debianSource: string | null;
  readonly series: readonly SeriesPatchStatus[];
}

/** The git directory holding the objects of a user's tree (a work tree, a linked worktree or a bare repository), or null. */
async function gitObjectsDir(ctx: Context, dir: string): Promise<string | null> {
  const r = await run(ctx, 'git', ['-C', dir, 'rev-parse', '--path-format=absolute', '--git-common-dir'], { stage: 'source', reject: false });
  if (r.exitCode !== 0) return null;
  const objects = join(r.stdout.trim(), 'objects');
  return (await stat(objects).catch(() => null))?.isDirectory() ? objects : null;
}

/** Borrow the user's object store (read-only) so fetching a revision copies nothing. */
async function addAlternate(ws: Workspace, objects: string): Promise<void> {
  const alternates = join(ws.src, '.git', 'objects', 'info', 'alternates');
  await mkdir(join(ws.src, '.git', 'objects', 'info'), { recursive: true });
  const current = await readFile(alternates, 'utf8').catch(() => '');
  if (!current.split('\n').includes(objects)) await appendFile(alternates, `${objects}\n`);
}

/**
 * A snapshot of a directory's files as a commit in the workspace repository, through a private index kept
 * per directory (later snapshots rehash only what changed). The user's tree and its .git are only read.
 */
async function snapshotDirectory(ctx: Context, ws: Workspace, dir: string): Promise<string> {
  const index = join(ws.root, `snapshot-index-${shortHash(sha256(dir))}`);
  const env = { GIT_INDEX_FILE: index, GIT_WORK_TREE: dir };
  // Build products of an in-tree build are never part of the source.
  const excludes = [':(exclude,glob)**/*.o', ':(exclude,glob)**/*.cmd', ':(exclude,glob)**/*.a', ':(exclude,glob)**/*.ko', ':(exclude).git'];
  await git(ctx, ws, ['add', '-A', '-f', '--', '.', ...excludes], { env });
  const tree = (await git(ctx, ws, ['write-tree'], { env })).stdout.trim();
  const dateEnv = { ...env, GIT_AUTHOR_DATE: '2000-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2000-01-01T00:00:00Z' };
  return (await git(ctx, ws, ['commit-tree', tree, '-m', `snapshot of ${dir}`], { env: dateEnv })).stdout.trim();
}

export interface ResolvedBase {
  readonly commit: string;
  readonly userCommit: string | null;
  readonly description: string;
  readonly debianSource: string | null;
}

export async function resolveBase(ctx: Context, ws: Workspace, spec: SourceSpec): Promise<ResolvedBase> {
  if (spec.kind === 'debian') {
    const d = await importDebianSource(ctx, ws, spec.series);
    return { commit: d.commit, userCommit: null, description: `Debian ${d.package} ${d.version}`, debianSource: `${d.package} ${d.version}` };
  }
  const dir = resolve(spec.dir);
  const st = await stat(dir).catch(() => null);
  if (!st?.isDirectory()) throw new UsageError(`--kernel ${spec.dir}: not a directory`, 'give the top directory of a kernel source tree');
  const objects = await gitObjectsDir(ctx, dir);
  const notKernel = (where: string) => new UsageError(`--kernel ${spec.dir}: not a Linux kernel tree (no Makefile or arch/arm64 ${where})`, 'give the top directory of a kernel source tree');
  if (spec.ref !== null) {
    // A revision is checked in its own tree: the files on disk (if any: a bare repository has none) do not matter.
    if (!objects) throw new UsageError(`--ref ${spec.ref} needs a git tree, and ${spec.dir} is not one`, 'drop --ref to test the directory as it is');
    const r = await run(ctx, 'git', ['-C', dir, 'rev-parse', '--verify', '-q', `${spec.ref}^{commit}`], { stage: 'source', reject: false });
    if (r.exitCode !== 0) throw new UsageError(`--ref ${spec.ref}: no such revision in ${spec.dir}`, `check \`git -C ${dir} log --oneline\``);
    const commit = r.stdout.trim();
    for (const path of ['Makefile', 'arch/arm64/Kconfig']) {
      const has = await run(ctx, 'git', ['-C', dir, 'cat-file', '-e', `${commit}:${path}`], { stage: 'source', reject: false });
      if (has.exitCode !== 0) throw notKernel(`at ${spec.ref}`);
    }
    await addAlternate(ws, objects);
    await git(ctx, ws, ['fetch', '-q', '--no-tags', dir, commit]);
    return { commit, userCommit: commit, description: `${dir} at ${spec.ref} (${commit.slice(0, 12)})`, debianSource: null };
  }
  if (!(await stat(join(dir, 'Makefile')).catch(() => null)) || !(await stat(join(dir, 'arch', 'arm64')).catch(() => null))) throw notKernel('on disk');
  if (objects) await addAlternate(ws, objects);
  const commit = await snapshotDirectory(ctx, ws, dir);
  return { commit, userCommit: null, description: `${dir} (files as they are on disk)`, debianSource: null };
}

async function readRelease(ws: Workspace): Promise<string | null> {
  const mk = await readFile(join(ws.src, 'Makefile'), 'utf8').catch(() => '');
  // [ \t]* and not \s*: an empty EXTRAVERSION must not swallow the next line.
  const v = (k: string) => new RegExp(`^${k}[ \\t]*=[ \\t]*(\\S*)`, 'm').exec(mk)?.[1] ?? '';
  const version = v('VERSION');
  return version ? `${version}.${v('PATCHLEVEL')}.${v('SUBLEVEL')}${v('EXTRAVERSION')}` : null;
}

/**
 * The tree the base plus the series would have, computed in a private index without touching the work tree
 * (a checkout rewrites files, and their new mtimes would make the next incremental build bigger). Null when a
 * patch does not apply this way: the real `git am -3` then decides and reports.
 */
export async function predictTree(ctx: Context, ws: Workspace, base: ResolvedBase, series: readonly LoadedSeries[]): Promise<string | null> {
  const patches = series.flatMap((s) => s.patches);
  if (patches.length === 0) return gitCapture(ctx, ws, ['rev-parse', `${base.commit}^{tree}`]);
  // The tree is a pure function of the base commit and the patch texts: remembered, a warm run skips the
  // private index (half a second on a kernel tree).
  const memo = join(ws.root, 'predicted-trees', sha256([base.commit, ...patches.map((p) => sha256(p.raw))].join('\n')));
  const known = (await readFile(memo, 'utf8').catch(() => '')).trim();
  if (/^[0-9a-f]{40,64}$/.test(known)) return known;
  const tree = await computeTree(ctx, ws, base, patches);
  if (tree) {
    await mkdir(join(ws.root, 'predicted-trees'), { recursive: true });
    await writeFile(`${memo}.${process.pid}`, `${tree}\n`);
    await rename(`${memo}.${process.pid}`, memo);
  }
  return tree;
}

async function computeTree(ctx: Context, ws: Workspace, base: ResolvedBase, patches: ReadonlyArray<LoadedSeries['patches'][number]>): Promise<string | null> {
  const dir = await mkdtemp(join(ws.root, 'predict-'));
  try {
    const env = { GIT_INDEX_FILE: join(dir, 'index') };
    await git(ctx, ws, ['read-tree', base.commit], { env });
    let n = 0;
    for (const p of patches) {
      const file = join(dir, `${++n}.patch`);
      await writeFile(file, p.raw);
      const r = await git(ctx, ws, ['apply', '--cached', file], { env, reject: false });
      if (r.exitCode !== 0) return null;
    }
    return (await git(ctx, ws, ['write-tree'], { env })).stdout.trim();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Series status when the store already holds the tree: every patch applied (the prediction proved it). */
export function appliedStatus(series: readonly LoadedSeries[]): SeriesPatchStatus[] {
  return series.flatMap((s) => s.patches).map((p, i) => ({ patch: i + 1, subject: p.title, messageId: p.messageId, applied: true }));
}

/**
 * Bring the work tree to base + series. The commits are made in a private index first and then checked out
 * in one step (only files that differ from the work tree's current state are rewritten, so make stays
 * incremental); when a patch does not apply that way, the real `git am -3` runs and reports.
 */
export async function prepareSource(ctx: Context, ws: Workspace, base: ResolvedBase, series: readonly LoadedSeries[], logPath: string): Promise<PreparedSource> {
  if (await access(join(ws.src, '.git', 'rebase-apply')).then(() => true, () => false)) {
    await git(ctx, ws, ['am', '--abort'], { reject: false });
  }
  const total = series.reduce((n, x) => n + x.patches.length, 0);
  const made = total > 0 ? await commitSeriesInIndex(ctx, ws, base.commit, series) : { commit: base.commit, applied: 0 };
  await checkoutDetached(ctx, ws, made.commit, base.description);
  // The rest (from the first patch that did not apply cleanly) goes through the real `git am -3`.
  const status = made.applied === total ? appliedStatus(series) : await applySeries(ctx, ws, series, logPath, made.applied);
  const head = await gitCapture(ctx, ws, ['rev-parse', 'HEAD']);
  const tree = await gitCapture(ctx, ws, ['rev-parse', 'HEAD^{tree}']);
  return { ...sourceInfo(base, tree, series.length ? status : []), headCommit: head, release: await readRelease(ws) };
}

export function sourceInfo(base: ResolvedBase, tree: string, status: readonly SeriesPatchStatus[]): Omit<PreparedSource, 'headCommit' | 'release'> {
  return { description: base.description, baseCommit: base.commit, userCommit: base.userCommit, tree, debianSource: base.debianSource, series: status };
}
