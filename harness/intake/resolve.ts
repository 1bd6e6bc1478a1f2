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

export interface ResolvedSeries {
  /** One path per --series argument, in order. */
  readonly paths: readonly string[];
  readonly intake: readonly IntakeRecord[];
  readonly source: SourceSpec;
  /** Set when a fetched series named a base (or could have): which base was used and why. */
  readonly base: BaseChoice | null;
}

export async function resolveSeriesArgs(ctx: Context, args: readonly string[], opts: { archive: string | null; version?: number; source: SourceSpec }): Promise<ResolvedSeries> {
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
  if (intake.length === 0) return { paths, intake, source: opts.source, base: null };
  const baseCommit = intake.find((i) => i.baseCommit)?.baseCommit ?? null;
  const tree = opts.source.kind === 'tree' ? opts.source.dir : null;
  const treeHasBase = tree && baseCommit ? await hasCommit(ctx, tree, baseCommit) : false;
  const base = chooseBase({ baseCommit, tree, treeHasBase, configured: opts.source.kind === 'tree' ? opts.source.ref : null });
  ctx.log.info(`intake: base: ${base.why}`);
  const source: SourceSpec = opts.source.kind === 'tree' && base.from === 'base-commit' ? { ...opts.source, ref: base.ref } : opts.source;
  return { paths, intake, source, base };
}

async function hasCommit(ctx: Context, dir: string, sha: string): Promise<boolean> {
  const r = await run(ctx, 'git', ['-C', dir, 'cat-file', '-e', `${sha}^{commit}`], { stage: 'source', reject: false });
  return r.exitCode === 0;
}
