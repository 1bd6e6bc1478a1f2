// The kernel stage's part of patch coverage (coverage/ holds the rules), run under the workspace lock: which
// files the series touches and how each is measured, who owns each line of the final tree (git blame), which EL2
// objects compile the series' files, and the .gcno notes the coverage build leaves (kept in its store entry).
import { access, readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Context } from '../util/context.js';
import { git, gitCapture, type Workspace } from './workspace.js';
import type { SeriesPatch } from './mbox.js';
import { parseBlamePorcelain, type BlamedLine } from '../coverage/blame.js';
import type { SeriesPatchRef } from '../coverage/attribute.js';
import type { CoverageBuildPlan, CoverageInputs } from '../coverage/inputs.js';
import { EL2_DIR, coverageVariant, gcovMakeVariables, mentions, notesPath, planFile, type FilePlan } from '../coverage/plan.js';

/** The files base..tip touches, each with how it can be measured. */
export async function coverageBuildPlan(ctx: Context, ws: Workspace, base: string, tip: string): Promise<CoverageBuildPlan> {
  const out = await gitCapture(ctx, ws, ['diff', '--no-renames', '--name-status', base, tip]);
  const files = out
    .split('\n')
    .map((l) => /^([A-Z])\d*\t(.+)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => planFile({ path: m[2]!, deleted: m[1] === 'D' }));
  return { files, makeVariables: gcovMakeVariables(files), variant: coverageVariant(files) };
}

/** The series' commits, oldest first, paired with their patches. */
export async function seriesPatchRefs(ctx: Context, ws: Workspace, base: string, tip: string, patches: readonly SeriesPatch[]): Promise<SeriesPatchRef[]> {
  const commits = (await gitCapture(ctx, ws, ['rev-list', '--reverse', `${base}..${tip}`])).split('\n').filter(Boolean);
  const refs: SeriesPatchRef[] = [];
  for (const [i, commit] of commits.entries()) {
    const files = (await gitCapture(ctx, ws, ['diff-tree', '--no-commit-id', '--name-only', '--no-renames', '-r', commit])).split('\n').filter(Boolean);
    refs.push({ patch: i + 1, subject: patches[i]?.title ?? commit.slice(0, 12), commit, files });
  }
  return refs;
}

/** Every line of each measurable touched file in the final tree, with the commit that last changed it. */
export async function blameFiles(ctx: Context, ws: Workspace, tip: string, files: readonly FilePlan[]): Promise<Map<string, BlamedLine[]>> {
  const out = new Map<string, BlamedLine[]>();
  for (const f of files) {
    const r = await git(ctx, ws, ['blame', '--porcelain', tip, '--', f.path], { reject: false });
    if (r.exitCode === 0) out.set(f.path, parseBlamePorcelain(r.stdout));
  }
  return out;
}

export async function builtNotes(buildDir: string, files: readonly FilePlan[]): Promise<string[]> {
  const built: string[] = [];
  for (const f of files) {
    const n = notesPath(f);
    if (n && (await access(join(buildDir, n)).then(() => true, () => false))) built.push(f.path);
  }
  return built;
}

/**
 * EL2 objects that compile one of the series' files: kbuild's `.<object>.cmd` dependency lists under
 * arch/arm64/kvm/hyp name every header an object includes.
 */
export async function el2ObjectsCompiling(ws: Workspace, files: readonly FilePlan[]): Promise<string[]> {
  const wanted = files.filter((f) => f.measure !== 'not-kernel').map((f) => f.path);
  if (wanted.length === 0) return [];
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (/^\..+\.o\.cmd$/.test(e.name)) {
        const text = await readFile(p, 'utf8').catch(() => '');
        if (wanted.some((w) => mentions(text, `${ws.src}/${w}`))) {
          found.push(join(relative(ws.build, dir), e.name.slice(1, -'.cmd'.length)));
        }
      }
    }
  };
  await walk(join(ws.build, EL2_DIR));
  return found.sort();
}


export async function coverageInputs(ctx: Context, ws: Workspace, plan: CoverageBuildPlan, base: string, tip: string, patches: readonly SeriesPatch[], notesDir: string): Promise<CoverageInputs> {
  return {
    ...plan,
    patches: await seriesPatchRefs(ctx, ws, base, tip, patches),
    blame: await blameFiles(ctx, ws, tip, plan.files.filter((f) => !f.path.startsWith('tools/') && !f.path.startsWith('Documentation/'))),
    srcRoot: ws.src,
    buildDir: ws.build,
    notesDir,
    built: await builtNotes(notesDir, plan.files),
    el2Objects: await el2ObjectsCompiling(ws, plan.files),
    gcov: `${ws.toolchain.crossCompile}gcov`,
  };
}
