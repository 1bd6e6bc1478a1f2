// The kernel under test in the workspace: a base (Debian's source, a user's tree or one of its revisions)
// checked out in the one work tree, with the series applied on top.
import { access, appendFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Context } from '../util/context.js';
import { run } from '../util/exec.js';
import { UsageError } from '../util/errors.js';
import { sha256, shortHash } from '../util/hash.js';
import type { SeriesPatchStatus } from '../model/result.js';
import { DEFAULT_DEBIAN_SERIES, importDebianSource } from './debian-source.js';
import { applySeries, commitSeriesInIndex, type LoadedSeries } from './series.js';
import { checkoutDetached, git, gitCapture, type Workspace } from './workspace.js';

/** `note`: how the base was chosen when a series fetched from a list named one (intake/base-choice.ts), for the report. */
export type SourceSpec =
  | { readonly kind: 'debian'; readonly series: string; readonly note?: string }
  | { readonly kind: 'tree'; readonly dir: string; readonly ref: string | null; readonly note?: string };

export const DEFAULT_SOURCE: SourceSpec = { kind: 'debian', series: DEFAULT_DEBIAN_SERIES };

export interface PreparedSource {
  /** For people: "Debian linux-source-7.3 7.3.4-1~bpo13+1", "/path/linux at v7.3-rc1 (abc123...)". */
  readonly description: string;
  readonly baseCommit: string;
  /** The user's commit when the base is a git revision of theirs; null for Debian's source or a snapshot. */
  readonly userCommit: string | null;
  /** The base plus the series as commits (the base itself without a series), checked out or not. */
  readonly seriesCommit: string;
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
  const base = await resolveBaseOf(ctx, ws, spec);
  return spec.note ? { ...base, description: `${base.description}; ${spec.note}` } : base;
}

async function resolveBaseOf(ctx: Context, ws: Workspace, spec: SourceSpec): Promise<ResolvedBase> {
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

/** The series as commits on the base, made once per run: where they are and how many patches got in. */
export interface SeriesCommits {
  /** The last commit made: the base plus the first `applied` patches. */
  readonly commit: string;
  readonly applied: number;
  readonly total: number;
  /** Its tree when every patch applied (the store key's source part before any checkout), else null. */
  readonly tree: string | null;
  /** Whether this call applied the series (false: the workspace remembered the same base and patch texts). */
  readonly appliedNow: boolean;
}

/**
 * Apply the series once, in a private index (the work tree is not touched: a checkout rewrites files and their
 * new mtimes would make the next incremental build bigger). The commits are a pure function of the base and
 * the patch texts (fixed dates), so the workspace remembers them: a warm run applies nothing.
 */
export async function commitSeries(ctx: Context, ws: Workspace, base: ResolvedBase, series: readonly LoadedSeries[]): Promise<SeriesCommits> {
  const patches = series.flatMap((s) => s.patches);
  const total = patches.length;
  const treeOf = (commit: string) => gitCapture(ctx, ws, ['rev-parse', `${commit}^{tree}`]);
  if (total === 0) return { commit: base.commit, applied: 0, total, tree: await treeOf(base.commit), appliedNow: false };
  const memo = join(ws.root, 'series-commits', sha256([base.commit, ...patches.map((p) => sha256(p.raw))].join('\n')));
  const known = /^([0-9a-f]{40,64}) (\d+)$/.exec((await readFile(memo, 'utf8').catch(() => '')).trim());
  if (known && (await git(ctx, ws, ['cat-file', '-e', `${known[1]}^{commit}`], { reject: false })).exitCode === 0) {
    const applied = Number(known[2]);
    return { commit: known[1]!, applied, total, tree: applied === total ? await treeOf(known[1]!) : null, appliedNow: false };
  }
  const made = await commitSeriesInIndex(ctx, ws, base.commit, series);
  await mkdir(join(ws.root, 'series-commits'), { recursive: true });
  await writeFile(`${memo}.${process.pid}`, `${made.commit} ${made.applied}\n`);
  await rename(`${memo}.${process.pid}`, memo);
  return { ...made, total, tree: made.applied === total ? await treeOf(made.commit) : null, appliedNow: true };
}

/** Series status when the store already holds the tree: every patch applied (the prediction proved it). */
export function appliedStatus(series: readonly LoadedSeries[]): SeriesPatchStatus[] {
  return series.flatMap((s) => s.patches).map((p, i) => ({ patch: i + 1, subject: p.title, messageId: p.messageId, applied: true }));
}

/**
 * Bring the work tree to base + series: check out the commits made by commitSeries in one step (only files that
 * differ from the work tree's current state are rewritten, so make stays incremental); when a patch did not apply
 * that way, the real `git am -3` runs for the rest and reports (a SeriesApplyError when it fails too).
 */
export async function prepareSource(ctx: Context, ws: Workspace, base: ResolvedBase, series: readonly LoadedSeries[], made: SeriesCommits, logPath: string): Promise<PreparedSource> {
  if (await access(join(ws.src, '.git', 'rebase-apply')).then(() => true, () => false)) {
    await git(ctx, ws, ['am', '--abort'], { reject: false });
  }
  await checkoutDetached(ctx, ws, made.commit, base.description);
  const status = made.applied === made.total ? appliedStatus(series) : await applySeries(ctx, ws, series, logPath, made.applied);
  const head = await gitCapture(ctx, ws, ['rev-parse', 'HEAD']);
  const tree = await gitCapture(ctx, ws, ['rev-parse', 'HEAD^{tree}']);
  return { ...sourceInfo(base, tree, series.length ? status : [], head), headCommit: head, release: await readRelease(ws) };
}

export function sourceInfo(base: ResolvedBase, tree: string, status: readonly SeriesPatchStatus[], seriesCommit: string): Omit<PreparedSource, 'headCommit' | 'release'> {
  return { description: base.description, baseCommit: base.commit, userCommit: base.userCommit, seriesCommit, tree, debianSource: base.debianSource, series: status };
}
