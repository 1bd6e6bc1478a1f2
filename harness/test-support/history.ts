// Small kernel git histories for the bisect tests, made with git plumbing on top of Debian's 7.3 source as
// imported in the kernel workspace: no checkout (the objects are borrowed through alternates), so a history
// costs a few seconds. Commits that end in the same tree as another history's reuse its kernel from the store.
import { execa } from 'execa';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Edit =
  | { readonly path: string; readonly append: string }
  | { readonly path: string; readonly remove: string }
  | { readonly patch: string };

export interface CommitSpec {
  readonly label: string;
  readonly subject: string;
  readonly edits: readonly Edit[];
}

/** The subject of a format-patch file, without its `[PATCH ...]` prefix. */
export function patchSubject(file: string): string {
  const m = /^Subject: (.*(?:\n[ \t].*)*)/m.exec(readFileSync(file, 'utf8'));
  return (m?.[1] ?? file).replace(/\n[ \t]+/g, ' ').replace(/^\[PATCH[^\]]*\]\s*/, '');
}

/** The Debian source commit imported in the workspace, and the workspace's object directory. */
export async function debianBase(workspace: string): Promise<{ commit: string; objects: string }> {
  const src = join(workspace, 'src');
  const r = await execa('git', ['-C', src, 'for-each-ref', '--format=%(objectname)', 'refs/sea/debian/']);
  const commit = String(r.stdout).split('\n')[0]!;
  if (!commit) throw new Error(`no Debian source imported in ${workspace}`);
  return { commit, objects: join(src, '.git', 'objects') };
}

/**
 * A new repository at `dir` whose branch `main` is `base` followed by `commits`; returns each label's hash.
 * Dates are fixed, so the same specs give the same hashes.
 */
export async function makeHistory(dir: string, base: { commit: string; objects: string }, commits: readonly CommitSpec[]): Promise<Map<string, string>> {
  const git = async (args: string[], opts: { input?: string; env?: Record<string, string> } = {}) =>
    String((await execa('git', ['-C', dir, ...args], { input: opts.input, env: { GIT_INDEX_FILE: join(dir, '.git', 'history-index'), ...opts.env } })).stdout);
  await execa('git', ['init', '-q', '-b', 'main', dir]);
  mkdirSync(join(dir, '.git', 'objects', 'info'), { recursive: true });
  writeFileSync(join(dir, '.git', 'objects', 'info', 'alternates'), `${base.objects}\n`);
  await git(['read-tree', base.commit]);
  const hashes = new Map<string, string>();
  let parent = base.commit;
  let n = 0;
  for (const c of commits) {
    for (const e of c.edits) {
      if ('patch' in e) {
        await git(['apply', '--cached', e.patch]);
        continue;
      }
      const text = await git(['cat-file', 'blob', `:${e.path}`]).then((t) => t + '\n', () => '');
      const next = 'append' in e ? text + e.append + '\n' : text.replace(e.remove + '\n', '');
      if (next === text) throw new Error(`history ${c.label}: edit of ${e.path} changed nothing`);
      const blob = (await git(['hash-object', '-w', '--stdin'], { input: next })).trim();
      await git(['update-index', '--add', '--cacheinfo', `100644,${blob},${e.path}`]);
    }
    const tree = (await git(['write-tree'])).trim();
    const date = `2026-11-01T12:${String(n++).padStart(2, '0')}:00Z`;
    const env = { GIT_AUTHOR_NAME: 'sea-harness test', GIT_AUTHOR_EMAIL: 'test@sea-harness.invalid', GIT_COMMITTER_NAME: 'sea-harness test', GIT_COMMITTER_EMAIL: 'test@sea-harness.invalid', GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
    parent = (await git(['commit-tree', tree, '-p', parent, '-m', c.subject], { env })).trim();
    hashes.set(c.label, parent);
  }
  await git(['update-ref', 'refs/heads/main', parent]);
  return hashes;
}
