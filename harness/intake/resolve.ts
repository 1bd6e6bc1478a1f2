// --series arguments that name a thread (msgid:<id>, an archive URL) fetched with b4 into a series directory,
// and the base revision chosen from the series' base-commit: when the kernel tree has it. Paths pass through.
import type { Context } from '../util/context.js';
import { run } from '../util/exec.js';
import { UsageError } from '../util/errors.js';
import type { SourceSpec } from '../kernel/source.js';
import { chooseBase, type BaseChoice } from './base-choice.js';
import { fetchSeries } from './b4.js';
import { DEFAULT_ARCHIVE, parseSeriesRef, SeriesRefError } from './series-ref.js';

/** How one --series argument was fetched: recorded in result.json and ci.json (kernel.intake). */
export interface IntakeRecord {
  readonly arg: string;
  readonly msgid: string;
  readonly archive: string;
  readonly url: string;
  /** The directory b4's output was put in (the --series PATH actually loaded). */
  readonly dir: string;
  readonly baseCommit: string | null;
}

export interface FetchedArgs {
  /** One path per --series argument, in order. */
  readonly paths: readonly string[];
  readonly intake: readonly IntakeRecord[];
}

/** Every --series argument as a path: the ones naming a thread fetched with b4 (`version`: b4's --use-version). */
export async function fetchSeriesArgs(ctx: Context, args: readonly string[], opts: { archive: string | null; version?: number }): Promise<FetchedArgs> {
  const paths: string[] = [];
  const intake: IntakeRecord[] = [];
  for (const arg of args) {
    let ref;
    try {
      ref = parseSeriesRef(arg);
    } catch (err) {
      if (err instanceof SeriesRefError) throw new UsageError(err.message, 'name a thread as msgid:<Message-ID> or https://lore.kernel.org/<list>/<Message-ID>/');
      throw err;
    }
    if (ref.kind === 'path') {
      paths.push(ref.path);
      continue;
    }
    const archive = ref.archive ?? opts.archive ?? process.env.SEA_HARNESS_ARCHIVE ?? DEFAULT_ARCHIVE;
    ctx.log.info(`intake: fetching <${ref.msgid}> from ${archive} with b4`);
    const f = await fetchSeries(ctx, { msgid: ref.msgid, archive, ...(opts.version ? { version: opts.version } : {}) });
    paths.push(f.dir);
    intake.push({ arg, msgid: f.msgid, archive: f.archive, url: f.url, dir: f.dir, baseCommit: f.baseCommit });
  }
  return { paths, intake };
}

/**
 * The base for fetched series: their base-commit: when the tree has it, else the configured one (intake/base-choice.ts).
 * Null when no series was fetched: nothing to choose, the source stays as given.
 */
export async function baseForIntake(ctx: Context, intake: readonly IntakeRecord[], source: SourceSpec): Promise<{ source: SourceSpec; base: BaseChoice } | null> {
  if (intake.length === 0) return null;
  const baseCommit = intake.find((i) => i.baseCommit)?.baseCommit ?? null;
  const tree = source.kind === 'tree' ? source.dir : null;
  const treeHasBase = tree && baseCommit ? await hasCommit(ctx, tree, baseCommit) : false;
  const base = chooseBase({ baseCommit, tree, treeHasBase, configured: source.kind === 'tree' ? source.ref : null });
  ctx.log.info(`intake: base: ${base.why}`);
  const chosen: SourceSpec = source.kind === 'tree' && base.from === 'base-commit' ? { ...source, ref: base.ref } : source;
  return { source: { ...chosen, note: base.why }, base };
}

async function hasCommit(ctx: Context, dir: string, sha: string): Promise<boolean> {
  const r = await run(ctx, 'git', ['-C', dir, 'cat-file', '-e', `${sha}^{commit}`], { stage: 'source', reject: false });
  return r.exitCode === 0;
}
