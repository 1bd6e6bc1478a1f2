// Loading --series inputs (mbox, patch file, directory) and applying them with `git am -3` in the work tree.
import { readFile, readdir, stat, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Context } from '../util/context.js';
import { SeriesApplyError, SeriesIncompleteError, UsageError, tailLines } from '../util/errors.js';

export { SeriesApplyError };
import type { SeriesPatchStatus } from '../model/result.js';
import { describeGap, parseMessage, selectSeries, splitMbox, type SeriesPatch, type SeriesSelection } from './mbox.js';
import { git, type Workspace } from './workspace.js';

export interface LoadedSeries extends SeriesSelection {
  readonly path: string;
}

/**
 * One --series input read and its patches picked (kernel/mbox.ts selectSeries). No patch at all is a usage error
 * naming what was left out; whether the version is whole is checked over all inputs (loadSeriesInputs).
 */
export async function loadSeries(path: string, wantVersion?: number): Promise<LoadedSeries> {
  const abs = resolve(path);
  const st = await stat(abs).catch(() => null);
  if (!st) throw new UsageError(`--series ${path}: no such file or directory`, 'give an mbox, a .patch file or a directory of .patch files');
  let texts: string[];
  if (st.isDirectory()) {
    const files = (await readdir(abs)).filter((f) => /\.(patch|diff|eml|mbox)$/.test(f)).sort();
    if (files.length === 0) throw new UsageError(`--series ${path}: the directory has no .patch, .eml or .mbox files`);
    texts = await Promise.all(files.map((f) => readFile(join(abs, f), 'utf8')));
  } else {
    texts = [await readFile(abs, 'utf8')];
  }
  const messages = texts.flatMap((t) => splitMbox(t)).map(parseMessage);
  const selection = selectSeries(messages, wantVersion);
  if (selection.patches.length === 0 && selection.missing.length === 0) {
    const why = selection.ignored.map((i) => `  ${i.subject}: ${i.why}`).join('\n');
    // A thread copied from a web archive: diff text, but no mail headers and the diff's line breaks gone.
    const headerless = messages.every((m) => !m.headers.has('subject')) && texts.some((t) => /^diff --git /m.test(t));
    throw new UsageError(
      `--series ${path}: no patches to apply${wantVersion ? ` for version ${wantVersion}` : ''}${why ? `; left out:\n${why}` : ''}`,
      headerless
        ? 'the input has diff text but no mail headers (Subject, From, Message-ID): not an mbox or a patch mail, e.g. a thread copied from a web page, which also loses the line breaks git am needs; fetch the thread as an mbox, e.g. b4 mbox <message-id>'
        : selection.versions.length > 0 ? `versions present: ${selection.versions.map((v) => `v${v}`).join(', ')}` : 'the input has no message with a diff',
    );
  }
  return { ...selection, path: abs };
}

/**
 * The inputs' patch numbers that no input holds. One input may hold only part of a series when the others hold
 * the rest (`--series 0001.patch --series 0002.patch`): a missing n/M counts as present when another input has
 * that n/M of the same version.
 */
function unfilledGaps(series: readonly LoadedSeries[]): Array<{ s: LoadedSeries; missing: number[] }> {
  return series
    .map((s) => ({
      s,
      missing: s.missing.filter((n) => !series.some((o) => o !== s && o.version === s.version && o.patches.some((p) => p.n === n && p.total === s.total))),
    }))
    .filter((g) => g.missing.length > 0);
}

/**
 * Every --series input loaded and validated once, before any work: the value the kernel stage applies (and ci
 * reports from), never re-read from disk. A series missing one of its patches is refused here (exit 5), before
 * any kernel source is fetched: applied without it, it would test something nobody posted.
 */
export async function loadSeriesInputs(paths: readonly string[], wantVersion?: number): Promise<LoadedSeries[]> {
  const series = await Promise.all(paths.map((p) => loadSeries(p, wantVersion)));
  const gap = unfilledGaps(series)[0];
  if (gap) {
    const { s, missing } = gap;
    const id = s.cover?.messageId ?? s.patches[0]?.messageId ?? null;
    throw new SeriesIncompleteError(
      `--series ${s.path}: ${describeGap({ ...s, missing })}`,
      { version: s.version, missing, total: s.total },
      `fetch the whole thread, e.g. b4 am ${id ?? '<message-id of the cover letter>'}`,
    );
  }
  return series;
}

/** The series cut after its first `limit` patches (all of them when limit is undefined). */
export function truncateSeries(series: readonly LoadedSeries[], limit: number | undefined): LoadedSeries[] {
  if (limit === undefined) return [...series];
  let left = limit;
  return series.map((s) => {
    const patches = s.patches.slice(0, Math.max(0, left));
    left -= patches.length;
    return { ...s, patches };
  }).filter((s) => s.patches.length > 0);
}

export function patchLabel(p: SeriesPatch): string {
  return `${p.n}/${p.total} "${p.title}"`;
}

/**
 * Apply every patch of every series in order. On the first failure the `git am` is aborted (the work tree
 * stays at the last applied patch) and an exit-5 error names the patch with git's message.
 */
export async function applySeries(ctx: Context, ws: Workspace, series: readonly LoadedSeries[], logPath: string, alreadyApplied = 0): Promise<SeriesPatchStatus[]> {
  const all = series.flatMap((s) => s.patches.map((p) => ({ p, s })));
  const status: SeriesPatchStatus[] = all.slice(0, alreadyApplied).map(({ p }, i) => ({ patch: i + 1, subject: p.title, messageId: p.messageId, applied: true }));
  let index = alreadyApplied;
  const tmp = await mkdtemp(join(ws.root, 'am-'));
  try {
    for (const { p, s } of all.slice(alreadyApplied)) {
      index++;
      const file = join(tmp, `${String(index).padStart(4, '0')}.patch`);
      await writeFile(file, p.raw);
      const r = await git(ctx, ws, ['am', '-3', '--keep-non-patch', file], { reject: false });
      await writeFile(logPath, `$ git am -3 ${file}  # ${p.subject}\n${r.stdout}${r.stderr}\n`, { flag: 'a' });
      if (r.exitCode !== 0) {
        await git(ctx, ws, ['am', '--abort'], { reject: false });
        status.push({ patch: index, subject: p.title, messageId: p.messageId, applied: false });
        for (const rest of all.slice(index)) status.push({ patch: status.length + 1, subject: rest.p.title, messageId: rest.p.messageId, applied: false });
        throw new SeriesApplyError(`patch ${patchLabel(p)} of ${s.path} does not apply`, {
          status,
          outputTail: tailLines(`${r.stdout}${r.stderr}`, 15),
          logPath,
        });
      }
      status.push({ patch: index, subject: p.title, messageId: p.messageId, applied: true });
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return status;
}

/**
 * The series as commits on top of `base`, made in a private index like `git am` would make them (git mailinfo
 * for author, date and message), without touching the work tree: checking out the result afterwards rewrites
 * only the files that differ from what the work tree holds, so make's incremental build stays small.
 * `applied` < the number of patches when one does not apply this way: the caller checks out `commit` (the
 * patches before it) and runs the real `git am -3` for the rest, which reports the failure with git's words.
 */
export async function commitSeriesInIndex(ctx: Context, ws: Workspace, base: string, series: readonly LoadedSeries[]): Promise<{ commit: string; applied: number }> {
  const dir = await mkdtemp(join(ws.root, 'commit-'));
  try {
    const env = { GIT_INDEX_FILE: join(dir, 'index') };
    await git(ctx, ws, ['read-tree', base], { env });
    let parent = base;
    let n = 0;
    for (const p of series.flatMap((x) => x.patches)) {
      n++;
      const mail = join(dir, `${n}.mail`);
      await writeFile(mail, p.raw);
      const info = await git(ctx, ws, ['mailinfo', join(dir, `${n}.msg`), join(dir, `${n}.diff`)], { input: p.raw, reject: false });
      if (info.exitCode !== 0) return { commit: parent, applied: n - 1 };
      const field = (k: string) => new RegExp(`^${k}: (.*)$`, 'm').exec(info.stdout)?.[1] ?? '';
      const apply = await git(ctx, ws, ['apply', '--cached', join(dir, `${n}.diff`)], { env, reject: false });
      if (apply.exitCode !== 0) return { commit: parent, applied: n - 1 };
      const tree = (await git(ctx, ws, ['write-tree'], { env })).stdout.trim();
      const body = (await readFile(join(dir, `${n}.msg`), 'utf8')).trim();
      const message = `${field('Subject') || p.title}\n\n${body}\n`;
      const commitEnv = {
        GIT_AUTHOR_NAME: field('Author') || 'unknown',
        GIT_AUTHOR_EMAIL: field('Email') || 'unknown',
        ...(field('Date') ? { GIT_AUTHOR_DATE: field('Date') } : {}),
        // A fixed committer date: the same series on the same base gives the same commits.
        GIT_COMMITTER_DATE: field('Date') || '2000-01-01T00:00:00Z',
      };
      parent = (await git(ctx, ws, ['commit-tree', tree, '-p', parent], { env: commitEnv, input: message })).stdout.trim();
    }
    return { commit: parent, applied: n };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
