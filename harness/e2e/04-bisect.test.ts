// `sea-harness bisect` end to end on small histories over Debian's 7.3 source (made with git plumbing, no
// checkout): the breaking commit named and confirmed; an unbuildable commit before it skipped, leaving two
// candidates; a --good that is not good (bisect's input errors are in 07-cli-cheap). Every step builds
// incrementally in the one workspace, and the second history's commits share trees with the first, so their
// kernels come from the store.
import t from 'tap';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { qemuPids, runCli, timed } from '../test-support/cli.js';
import { debianBase, makeHistory, patchSubject, type CommitSpec } from '../test-support/history.js';
import { BREAK_IABT_PATCH, SERIES_DIR } from '../test-support/paths.js';
import type { BisectResult, StepRecord } from '../model/bisect.js';
import { readdirSync } from 'node:fs';
import { E2E_TIMEOUT_MS } from '../test-support/timeouts.js';

t.setTimeout(E2E_TIMEOUT_MS['04-bisect']);

const tmp = (tag: string) => mkdtempSync(join(tmpdir(), `sea-e2e-bisect-${tag}-`));
const DOC = 'Documentation/virt/kvm/api.rst';
const C_FILE = 'arch/arm64/kvm/hypercalls.c';
const NOT_BUILDING = 'int sea_harness_does_not_build = no_such_symbol;';

const series: CommitSpec[] = readdirSync(SERIES_DIR)
  .filter((f) => /^000[1-9].*\.patch$/.test(f))
  .sort()
  .map((f, i) => ({ label: `s${i + 1}`, subject: patchSubject(join(SERIES_DIR, f)), edits: [{ patch: join(SERIES_DIR, f) }] }));
const harmless = (label: string, n: number, path: string): CommitSpec => ({
  label,
  subject: `${path.startsWith('Documentation') ? 'docs: kvm' : 'KVM: arm64'}: harmless change ${n} (sea-harness test)`,
  edits: [{ path, append: path.endsWith('.c') ? `// sea-harness test: harmless comment ${n}` : `.. sea-harness test: harmless note ${n}` }],
});
const breaking: CommitSpec = { label: 'break', subject: patchSubject(BREAK_IABT_PATCH), edits: [{ patch: BREAK_IABT_PATCH }] };

async function workspace(): Promise<string> {
  const r = await runCli(['build', '--format', 'json', '--case', 'inject_iabt']);
  if (r.exitCode !== 0) throw new Error(`build failed: ${r.stderr.slice(-2000)}`);
  return (JSON.parse(r.stdout) as { workspace: string }).workspace;
}

t.test('bisect names the commit that breaks inject_iabt, confirmed', async (t) => {
  const base = await debianBase(await workspace());
  const dir = tmp('tree');
  const h = await makeHistory(dir, base, [...series, harmless('h1', 1, DOC), harmless('h2', 2, C_FILE), breaking, harmless('h3', 3, DOC), harmless('h4', 4, C_FILE)]);
  const out = tmp('out');
  const r = await runCli(['bisect', '--kernel', dir, '--good', h.get('s3')!, '--bad', 'main', '--case', 'inject_iabt', '--out', out, '--format', 'json']);
  timed(t, 'bisect over 5 commits (incremental builds, confirm 2)', r.durationMs);
  t.equal(r.exitCode, 0, 'exit 0: a confirmed culprit', { stderr: r.stderr.slice(-4000) });
  const result = JSON.parse(r.stdout) as BisectResult;
  t.equal(result.schema, 'sea-harness/bisect@1');
  t.equal(result.culprit?.commit, h.get('break'), 'the breaking commit is the culprit');
  t.equal(result.culprit?.confirmed, true);
  t.same(result.culprit?.confirmation, { culprit: ['bad', 'bad'], parent: ['good', 'good'] });
  t.same(result.culprit?.files, ['arch/arm64/kvm/guest.c']);
  t.match(result.culprit?.author, /sea-harness test/);
  t.same(result.culprit?.doubts, []);
  t.same(result.candidates, []);
  const checks = result.steps.filter((s) => s.phase === 'check');
  t.same(checks.map((s) => [s.commit, s.step]), [[h.get('s3'), 'good'], [h.get('h4'), 'bad']], 'good checked good, bad checked bad');
  const culpritStep = result.steps.find((s) => s.commit === h.get('break') && s.phase === 'bisect');
  t.ok(culpritStep, 'git bisect run tested the culprit');
  t.match(culpritStep?.reason, /inject_iabt fail: arm64\/inject_iabt\.c:\d+: r && errno == EINVAL/);
  t.ok(result.steps.filter((s) => s.phase === 'confirm').every((s) => s.fromStore), 'confirmations cost no build');
  for (const s of result.steps) t.ok(existsSync(join(s.outDir, 'result.json')), `step ${s.commit.slice(0, 12)} kept its artifacts`);
  t.same(JSON.parse(readFileSync(join(out, 'bisect.json'), 'utf8')), result, 'bisect.json is what was printed');
  t.match(readFileSync(join(out, 'bisect.md'), 'utf8'), new RegExp(`first bad commit for inject_iabt: ${h.get('break')!.slice(0, 12)}`));
  t.match(readFileSync(join(out, 'bisect-log.txt'), 'utf8'), `# first bad commit: [${h.get('break')}]`);
  t.match(r.stderr, /bisect-step: (good|bad|skip) /, 'each step reported as it ran');
  t.same(qemuPids(out), [], 'no QEMU left');
});

t.test('a commit that does not build before the breaking one: skipped, both listed as candidates', async (t) => {
  const base = await debianBase(await workspace());
  const dir = tmp('tree-skip');
  // The same trees as the first history from `break` on: only the unbuildable commit is new.
  const h = await makeHistory(dir, base, [
    ...series,
    harmless('h1', 1, DOC),
    harmless('h2', 2, C_FILE),
    { label: 'nobuild', subject: 'KVM: arm64: a change that does not compile (sea-harness test)', edits: [{ path: C_FILE, append: NOT_BUILDING }] },
    { label: 'break', subject: patchSubject(BREAK_IABT_PATCH), edits: [{ path: C_FILE, remove: NOT_BUILDING }, { patch: BREAK_IABT_PATCH }] },
    harmless('h3', 3, DOC),
    harmless('h4', 4, C_FILE),
  ]);
  const out = tmp('out-skip');
  const r = await runCli(['bisect', '--kernel', dir, '--good', h.get('s3')!, '--bad', h.get('h4')!, '--case', 'inject_iabt', '--out', out, '--format', 'json']);
  timed(t, 'bisect with an unbuildable commit', r.durationMs);
  t.equal(r.exitCode, 1, 'exit 1: no single culprit', { stderr: r.stderr.slice(-4000) });
  const result = JSON.parse(r.stdout) as BisectResult;
  t.equal(result.culprit, null);
  t.same(result.candidates.map((c) => c.commit).sort(), [h.get('nobuild'), h.get('break')].sort(), 'both commits are candidates');
  const nobuild = result.candidates.find((c) => c.commit === h.get('nobuild'));
  t.match(nobuild?.why, /^skipped: the kernel does not build here: the kernel failed to build in the sandbox: .*no_such_symbol/);
  t.match(result.candidates.find((c) => c.commit === h.get('break'))?.why, /tested bad/);
  t.match(result.reason, /could not tell 2 commits apart/);
  const skipped = result.steps.find((s: StepRecord) => s.commit === h.get('nobuild'));
  t.equal(skipped?.verdict, 'build-failed');
  t.equal(skipped?.step, 'skip');
  t.match(readFileSync(join(out, 'bisect.md'), 'utf8'), /Candidates \(the first bad commit is one of these\)/);
  t.same(qemuPids(out), [], 'no QEMU left');
});

t.test('a --good that is not good: exit 2 after checking it (the input errors are in 07-cli-cheap)', async (t) => {
  const base = await debianBase(await workspace());
  const dir = tmp('tree-check');
  const h = await makeHistory(dir, base, [...series, breaking, harmless('h1', 1, DOC)]);
  const out = tmp('out-check');
  const notGood = await runCli(['bisect', '--kernel', dir, '--good', h.get('break')!, '--bad', 'main', '--case', 'inject_iabt', '--out', out, '--format', 'json']);
  timed(t, 'bisect whose --good fails', notGood.durationMs);
  t.equal(notGood.exitCode, 2, 'a --good that fails is a usage error');
  const doc = JSON.parse(notGood.stdout) as BisectResult;
  t.match(doc.reason, /--good \S+ \(\w+\) is not good: it gave bad - inject_iabt fail/);
  t.equal(doc.steps.length, 1, 'stopped after the check');
  t.same(qemuPids(out), [], 'no QEMU left');
});
