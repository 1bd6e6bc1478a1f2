// The kernel workspace: one git repository with one work tree and one O= build directory per (config, toolchain).
import { access, appendFile, copyFile, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Context } from '../util/context.js';
import { run, capture } from '../util/exec.js';
import { withLock } from '../util/lock.js';
import { HarnessError } from '../util/errors.js';
import type { Toolchain } from './toolchain.js';

export interface Workspace {
  readonly root: string;
  /** The git work tree every variant is checked out in. */
  readonly src: string;
  /** The one O= build directory. */
  readonly build: string;
  readonly logs: string;
  readonly lockPath: string;
  readonly toolchain: Toolchain;
}

/**
 * The workspace directory is keyed by the toolchain and by the user's extra config fragments (`default`
 * when there are none): the harness's own fragments are the same for every run, so choosing cases or a
 * guest profile never selects another workspace or changes the config.
 */
export function workspacePath(cacheDir: string, toolchain: Toolchain, userConfigKey: string | null): string {
  return join(cacheDir, 'workspaces', `${toolchain.id}-${userConfigKey ?? 'default'}`);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

const WORKSPACE_GIT_CONFIG: readonly (readonly [string, string])[] = [
  ['user.name', 'sea-harness'],
  ['user.email', 'sea-harness@localhost'],
  ['gc.auto', '0'],
  ['advice.detachedhead', 'false'],
];

export async function openWorkspace(ctx: Context, toolchain: Toolchain, userConfigKey: string | null): Promise<Workspace> {
  const root = workspacePath(ctx.cacheDir, toolchain, userConfigKey);
  const ws: Workspace = {
    root,
    src: join(root, 'src'),
    build: join(root, 'build'),
    logs: join(root, 'logs'),
    lockPath: join(root, 'lock'),
    toolchain,
  };
  await mkdir(ws.src, { recursive: true });
  await mkdir(ws.build, { recursive: true });
  await mkdir(ws.logs, { recursive: true });
  // Under the lock: two runs starting at once would both write .git/config, and the loser's `git config`
  // fails on config.lock (exit 255).
  await withLock(ctx, ws.lockPath, 'kernel workspace', async () => {
    if (!(await exists(join(ws.src, '.git')))) {
      await git(ctx, ws, ['init', '-q', '-b', 'sea-work']);
      await borrowFromSiblings(ctx, ws);
    }
    // Local identity and settings: git am and the import commit need an identity; gc while a build
    // reads the tree would only cost time. Written only when missing.
    const have = new Set((await git(ctx, ws, ['config', '--local', '--list'], { reject: false })).stdout.split('\n'));
    for (const [key, value] of WORKSPACE_GIT_CONFIG) {
      if (!have.has(`${key}=${value}`)) await git(ctx, ws, ['config', key, value]);
    }
  });
  await writeFile(join(root, 'README'), 'sea-harness kernel workspace: src/ is a git work tree, build/ the O= directory. Managed by sea-harness; `npx sea-harness cache` lists and cleans it.\n');
  return ws;
}

/**
 * A new workspace (another --config) borrows the objects and imported sources of the existing ones through
 * git alternates: no second download or import of Debian's source, only a checkout.
 */
async function borrowFromSiblings(ctx: Context, ws: Workspace): Promise<void> {
  const parent = dirname(ws.root);
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    const other = join(parent, name, 'src');
    if (join(parent, name) === ws.root || !(await exists(join(other, '.git', 'objects')))) continue;
    await mkdir(join(ws.src, '.git', 'objects', 'info'), { recursive: true });
    await appendFile(join(ws.src, '.git', 'objects', 'info', 'alternates'), `${join(other, '.git', 'objects')}\n`);
    await git(ctx, ws, ['fetch', '-q', '--no-tags', other, 'refs/sea/*:refs/sea/*'], { reject: false });
    for (const f of await readdir(join(parent, name)).catch(() => [] as string[])) {
      if (/^debian-.*\.json$/.test(f)) await copyFile(join(parent, name, f), join(ws.root, f)).catch(() => undefined);
    }
  }
}

export function git(ctx: Context, ws: Workspace, args: readonly string[], options: { env?: Record<string, string>; reject?: boolean; input?: string } = {}) {
  return run(ctx, 'git', ['-C', ws.src, ...args], {
    stage: 'source',
    ...(options.env ? { env: options.env } : {}),
    ...(options.reject === false ? { reject: false } : {}),
    ...(options.input !== undefined ? { input: options.input } : {}),
    timeoutMs: 30 * 60_000,
  });
}

export function gitCapture(ctx: Context, ws: Workspace, args: readonly string[]): Promise<string> {
  return capture(ctx, 'git', ['-C', ws.src, ...args], { stage: 'source', timeoutMs: 10 * 60_000 });
}

/** Check out `commit` (detached) in the work tree: only files that differ are rewritten, so make stays incremental. */
export async function checkoutDetached(ctx: Context, ws: Workspace, commit: string, what: string): Promise<void> {
  const co = await git(ctx, ws, ['checkout', '-q', '-f', '--detach', commit], { reject: false });
  if (co.exitCode !== 0) {
    throw new HarnessError(`cannot check out ${what} in the workspace`, { stage: 'source', outputTail: co.stderr, hint: `the workspace at ${ws.root} may be damaged: \`npx sea-harness cache clean --workspaces\`` });
  }
}

/** Run `fn` holding the workspace lock: one run at a time changes the work tree and the build directory. */
export function withWorkspace<T>(ctx: Context, ws: Workspace, fn: () => Promise<T>): Promise<T> {
  return withLock(ctx, ws.lockPath, 'kernel workspace', async () => {
    await pruneAlternates(ws);
    return fn();
  });
}

/**
 * Forget borrowed object stores that are gone (a user's tree deleted or moved; the test histories): git would
 * print "unable to normalize alternate object path" on every command. Under the lock, so no run is adding one.
 * What the workspace still needs from a deleted tree is checked out or fetched again when that tree is used.
 */
async function pruneAlternates(ws: Workspace): Promise<void> {
  const file = join(ws.src, '.git', 'objects', 'info', 'alternates');
  const lines = (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  const kept: string[] = [];
  for (const l of lines) if (await exists(l)) kept.push(l);
  if (kept.length === lines.length) return;
  await writeFile(`${file}.tmp`, kept.map((l) => `${l}\n`).join(''));
  await rename(`${file}.tmp`, file);
}
