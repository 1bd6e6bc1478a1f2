// ci/gitlab-ci.yml run for real by gitlab-ci-local (shell executor, --shell-isolation) in a copy of the project:
// ci (sea-harness ci + build --out) -> one boot job per KVM mode (run --prebuilt on the kernel handed on as an
// artifact) -> report merge, every job green and the merged report right; then a series that does not apply: the
// ci job fails with exit 5, no boot job starts, merge still runs and reports it. No QEMU is left either time.
import t, { type Test } from 'tap';
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { parse } from 'yaml';
import { qemuPids, timed } from '../test-support/cli.js';
import { PATCHES, ROOT, SERIES_MBOX } from '../test-support/paths.js';
import { E2E_TIMEOUT_MS } from '../test-support/timeouts.js';
import { defaultCacheDir } from '../util/context.js';
import type { CiResult } from '../model/ci.js';
import type { RunResult } from '../model/result.js';
import type { MergedReport } from '../report/merge.js';

t.setTimeout(E2E_TIMEOUT_MS['13-gitlab-pipeline']);

const GCL = join(ROOT, 'node_modules', '.bin', 'gitlab-ci-local');
const GCL_VERSION = (JSON.parse(readFileSync(join(ROOT, 'node_modules', 'gitlab-ci-local', 'package.json'), 'utf8')) as { version: string }).version;
const TEMPLATE = 'ci/gitlab-ci.yml';
const SERIES = basename(SERIES_MBOX);
/** The cheapest real case: one short selftest, the one the series adds. */
const CASE = 'inject_iabt';
const MODES = ['nvhe', 'protected'] as const;
/**
 * Each gitlab-ci-local run's own deadline (measured on 2026-12-05: 63-82 s, 17-24 s, 11-21 s), after which its
 * process group is stopped; together well inside the file's timeout, so that the clean-up runs before tap's.
 */
const DEADLINE_MS = { pipeline: 200_000, apply: 80_000, merge: 40_000 };
const jobName = { ci: `ci: [${SERIES}]`, boot: (mode: string) => `boot-modes: [${SERIES},${mode}]`, merge: 'merge' };

/**
 * A throwaway copy of the project as a runner's checkout would have it: the work tree's tracked and not ignored
 * files, as dist/ is compiled from them (the jobs compile them too, so they must compile, as `make test`'s own
 * set-up requires), in a git repository of its own. Neither neither gitlab-ci-local's state (.gitlab-ci-local/) nor the jobs' out/ and
 * merged/ touch the repository. --shell-isolation gives each job a copy of the git-tracked files only, so the
 * project's node_modules goes in as a tracked symlink: `make setup` then finds it and compiles each job's own
 * dist/ (~10 s) instead of running npm ci.
 */
function projectCopy(t: Test, prefix: string): { base: string; dir: string; home: string } {
  const base = mkdtempSync(join(tmpdir(), prefix));
  // ~500 MB of artifacts (kernel, QEMU, results) per pipeline: kept only when the test fails, to look into.
  t.teardown(() => t.passing() && rmSync(base, { recursive: true, force: true }));
  const home = join(base, 'home');
  mkdirSync(home);
  const dir = join(base, 'project');
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const f of files) {
    if (!lstatSync(join(ROOT, f), { throwIfNoEntry: false })) continue; // deleted in the work tree, not committed yet
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(ROOT, f), join(dir, f), { preserveTimestamps: true, verbatimSymlinks: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  // The Makefile runs npm ci when package.json or package-lock.json is newer than this stamp. node_modules was
  // installed from these very files: date the copies before it, or make would reinstall through the symlink.
  const stamp = statSync(join(ROOT, 'node_modules', '.sea-stamp'), { throwIfNoEntry: false });
  if (!stamp) throw new Error(`${join(ROOT, 'node_modules', '.sea-stamp')} is missing: run \`make setup\` first (make test does)`);
  const before = new Date(stamp.mtimeMs - 1000);
  for (const f of ['package.json', 'package-lock.json']) utimesSync(join(dir, f), before, before);
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=sea-harness e2e', '-c', 'user.email=e2e@localhost', ...args], { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('add', '-f', 'node_modules');
  git('commit', '-q', '-m', 'sea-harness as the bot\'s checkout');
  return { base, dir, home };
}

interface Pipeline {
  readonly exitCode: number;
  readonly output: string;
  readonly durationMs: number;
  /** PASS / FAIL per job, from gitlab-ci-local's summary. */
  readonly outcome: ReadonlyMap<string, string>;
  /** The exit code of each failed job. */
  readonly failedWith: ReadonlyMap<string, number>;
  /** From the job's "starting shell" line to its "finished in" line (its set-up and script, not artifact copies). */
  readonly jobMs: ReadonlyMap<string, number>;
}

/**
 * The whole pipeline, in its own process group: on the deadline (or if the test ends first) the group gets
 * SIGTERM, which sea-harness in the jobs turns into its clean-up (QEMU stopped), then SIGKILL.
 */
async function runPipeline(t: Test, dir: string, home: string, variables: Record<string, string>, deadlineMs: number, jobs: string[] = []): Promise<Pipeline> {
  const args = [...jobs, '--file', TEMPLATE, '--shell-isolation', '--no-artifacts-to-source', '--no-color', '--home', home];
  for (const [k, v] of Object.entries(variables)) args.push('--variable', `${k}=${v}`);
  const started = Date.now();
  const child = execa(GCL, args, { cwd: dir, reject: false, detached: true, stdin: 'ignore', all: true, buffer: true, env: { FORCE_COLOR: '0' } });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is gone already
    }
  };
  const stopGroup = () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    signalGroup('SIGTERM');
    setTimeout(() => signalGroup('SIGKILL'), 15_000).unref();
  };
  t.teardown(stopGroup);
  const deadline = setTimeout(stopGroup, deadlineMs);
  const begun = new Map<string, number>();
  const jobMs = new Map<string, number>();
  let partial = '';
  child.all?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const m = /^(\S.*?)\s+(starting shell|finished in)\b/.exec(line);
      if (m?.[2] === 'starting shell') begun.set(m[1]!, Date.now());
      else if (m && begun.has(m[1]!)) jobMs.set(m[1]!, Date.now() - begun.get(m[1]!)!);
    }
  });
  const r = await child;
  clearTimeout(deadline);
  const output = String(r.all);
  const outcome = new Map<string, string>();
  for (const m of output.matchAll(/^ (PASS|FAIL|WARN) {2}(.+?)\s*$/gm)) outcome.set(m[2]!, m[1]!);
  const failedWith = new Map<string, number>();
  for (const m of output.matchAll(/^(\S.*?)\s+finished in .*\bFAIL (\d+)/gm)) failedWith.set(m[1]!, Number(m[2]));
  return { exitCode: r.exitCode ?? -1, output, durationMs: Date.now() - started, outcome, failedWith, jobMs };
}

/** What the pipeline left in gitlab-ci-local's artifact store: the artifacts directory of each job, by what it holds. */
function artifactsOf(dir: string): Map<string, string> {
  const root = join(dir, '.gitlab-ci-local', 'artifacts');
  const found = new Map<string, string>();
  for (const d of existsSync(root) ? readdirSync(root) : []) {
    const out = join(root, d, 'out', SERIES);
    if (existsSync(join(out, 'ci'))) found.set('ci', join(root, d));
    for (const mode of MODES) if (existsSync(join(out, `run-${mode}`))) found.set(mode, join(root, d));
    if (existsSync(join(root, d, 'merged'))) found.set('merge', join(root, d));
  }
  return found;
}

/** A JSON document, or null when the file is not there (the assertions on it then fail, saying what was expected). */
const json = <T>(path: string) => (existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : null);

/** The state gitlab-ci-local keeps and the jobs' outputs must stay out of the repository itself. */
const repoLeftovers = () => ['.gitlab-ci-local', 'merged'].filter((p) => existsSync(join(ROOT, p)));

t.test('the template\'s matrices name the series this test passes in', async (t) => {
  const doc = parse(readFileSync(join(ROOT, TEMPLATE), 'utf8'), { merge: true }) as Record<string, { parallel?: { matrix?: Array<Record<string, string[]>> } }>;
  for (const job of ['ci', 'boot-modes']) t.same(doc[job]?.parallel?.matrix?.[0]?.SERIES, [SERIES], `${job}: SERIES`);
  t.same(doc['boot-modes']?.parallel?.matrix?.[0]?.KVM_MODE, [...MODES], 'boot-modes: KVM_MODE');
});

t.test('the pipeline: ci -> a boot job per KVM mode on the handed-on kernel -> report merge, all green', async (t) => {
  t.comment(`gitlab-ci-local ${GCL_VERSION}`);
  const leftoversBefore = repoLeftovers();
  const { base, dir, home } = projectCopy(t, 'sea-e2e-gitlab-');
  const p = await runPipeline(t, dir, home, {
    SEA_HARNESS_CACHE: defaultCacheDir(),
    SEA_SERIES_DIR: dirname(SERIES_MBOX),
    SEA_CASES: CASE,
    // No --per-patch: its kernel after each patch is not among the test kernels (two more builds).
    SEA_CI_OPTIONS: '',
  }, DEADLINE_MS.pipeline);
  timed(t, 'gitlab pipeline (ci, 2 boot jobs, merge)', p.durationMs);
  for (const [job, ms] of p.jobMs) timed(t, `gitlab job ${job}`, ms);
  t.equal(p.exitCode, 0, 'gitlab-ci-local exit 0', { output: p.output.slice(-6000) });
  const jobs = [jobName.ci, ...MODES.map(jobName.boot), jobName.merge];
  t.same(Object.fromEntries(p.outcome), Object.fromEntries(jobs.map((j) => [j, 'PASS'])), 'every job green');
  t.same(qemuPids(base), [], 'no QEMU left');

  const art = artifactsOf(dir);
  const ciDir = join(art.get('ci') ?? '', 'out', SERIES);
  const ci = json<CiResult>(join(ciDir, 'ci', 'ci.json'));
  t.equal(ci?.verdict, 'ok', 'ci: ok');
  t.match(ci?.cases, [{ name: CASE, base: 'absent', series: 'pass', change: 'new' }], `ci ran ${CASE} only, a new test that passes`);
  for (const f of ['ci/report.md', 'ci/junit.xml', 'ci/kcidb.json', 'ci/series/repro.sh', 'kernel/kernel.json', 'kernel/Image', `kernel/selftests/${CASE}`, 'kernel/qemu/qemu-system-aarch64']) {
    t.ok(existsSync(join(ciDir, f)), `ci artifact ${f}`);
  }
  for (const side of ['base', 'series']) t.notOk(existsSync(join(ciDir, 'ci', side, 'qemu-system-aarch64')), `ci artifact: ${side}/ without its copy of QEMU (artifacts:exclude)`);
  t.match(p.output, /# sea-harness ci: no regression/, 'the ci report is in the job log');

  for (const mode of MODES) {
    const a = art.get(mode);
    t.ok(a, `${mode}: the boot job's artifacts`);
    t.same(a ? readdirSync(join(a, 'out', SERIES)) : null, [`run-${mode}`], `${mode}: its artifacts are its results only, not the kernel again`);
    const run = json<RunResult>(join(a ?? '', 'out', SERIES, `run-${mode}`, 'result.json'));
    t.match(run, { verdict: 'pass', cases: [{ name: CASE, verdict: 'pass' }], guest: { environment: { kvmMode: mode } } }, `${mode}: ${CASE} passes in the ${mode} guest`);
    t.ok(existsSync(join(a ?? '', 'out', SERIES, `run-${mode}`, 'junit.xml')), `${mode}: junit.xml (its reports:junit)`);
    t.ok(existsSync(join(a ?? '', 'out', SERIES, `run-${mode}`, 'repro.sh')), `${mode}: repro.sh`);
    t.notOk(existsSync(join(a ?? '', 'out', SERIES, `run-${mode}`, 'qemu-system-aarch64')), `${mode}: without its copy of QEMU (artifacts:exclude)`);
    const log = p.output.split('\n').filter((l) => l.startsWith(jobName.boot(mode) + ' ')).join('\n');
    t.match(log, /imported artifacts/, `${mode}: the job got ci's artifacts`);
    t.notMatch(log, /> build: /, `${mode}: booted the handed-on kernel, built nothing`);
    t.match(log, /> qemu: the prebuilt copy in out\//, `${mode}: and the QEMU handed on with it`);
  }

  const merged = join(art.get('merge') ?? '', 'merged');
  const m = json<MergedReport>(join(merged, 'merged.json'));
  t.equal(m?.ok, true, 'merged: ok');
  t.same(
    m?.entries.map((e) => [e.kind, e.file, e.ok, e.cases]),
    [
      ['ci', `out/${SERIES}/ci/ci.json`, true, [`${CASE}: absent -> pass (new)`]],
      ...MODES.map((mode) => ['run', `out/${SERIES}/run-${mode}/result.json`, true, [`${CASE}: pass`]]),
    ],
    'merged: the ci and both boot jobs\' results',
  );
  t.match(readFileSync(join(merged, 'merged.md'), 'utf8'), /^# sea-harness: 3 result\(s\), 0 not ok/, 'merged.md');
  t.same(repoLeftovers(), leftoversBefore, 'nothing written into the repository');
});

t.test('a series that does not apply: the ci job fails with exit 5, no boot job starts, merge reports it', async (t) => {
  const { base, dir, home } = projectCopy(t, 'sea-e2e-gitlab-apply-');
  // The matrix names the series file: a directory of its own holds a patch of that name that does not apply.
  mkdirSync(join(base, 'series'));
  writeFileSync(join(base, 'series', SERIES), readFileSync(join(PATCHES, 'does-not-apply.patch')));
  const variables = { SEA_HARNESS_CACHE: defaultCacheDir(), SEA_SERIES_DIR: join(base, 'series'), SEA_CASES: CASE, SEA_CI_OPTIONS: '' };
  const p = await runPipeline(t, dir, home, variables, DEADLINE_MS.apply);
  timed(t, 'gitlab pipeline, series that does not apply', p.durationMs);
  for (const [job, ms] of p.jobMs) timed(t, `gitlab job ${job} (does not apply)`, ms);
  t.not(p.exitCode, 0, 'gitlab-ci-local fails', { output: p.output.slice(-4000) });
  t.equal(p.outcome.get(jobName.ci), 'FAIL', 'the ci job is red');
  t.equal(p.failedWith.get(jobName.ci), 5, '... with ci\'s exit code 5');
  for (const mode of MODES) t.notOk(p.jobMs.has(jobName.boot(mode)) || p.outcome.has(jobName.boot(mode)), `${mode}: no boot job ran`);
  // GitLab starts merge (when: always) with the boot jobs skipped; gitlab-ci-local 4.56.2 waits for them to finish,
  // and they never start. Run on its own, merge takes ci's artifacts from gitlab-ci-local's state, as GitLab would.
  const merge = p.outcome.has(jobName.merge) ? p : await runPipeline(t, dir, home, variables, DEADLINE_MS.merge, [jobName.merge]);
  if (merge !== p) timed(t, 'gitlab job merge on its own (does not apply)', merge.jobMs.get(jobName.merge) ?? merge.durationMs);
  t.equal(merge.outcome.get(jobName.merge), 'FAIL', 'merge runs and is red: a result is not ok', { output: merge.output.slice(-3000) });
  t.equal(merge.failedWith.get(jobName.merge), 1, '... exit 1');
  const m = json<MergedReport>(join(artifactsOf(dir).get('merge') ?? '', 'merged', 'merged.json'));
  t.match(m, { ok: false, entries: [{ kind: 'ci', verdict: 'apply-failed', ok: false }] }, 'merged: the ci result, apply-failed');
  t.equal(m?.entries.length, 1, 'merged: nothing else');
  t.same(qemuPids(base), [], 'no QEMU left');
});
