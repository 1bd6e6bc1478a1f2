// Patch coverage end to end: the IABT series on 7.3 plus a patch of our own whose function nothing calls, built
// with gcov on the series' C files only (a store variant of the plain kernel, prebuilt by make test-kernels), the
// three cases run one at a time in the L1 with the counters reset and read around each, the lines attributed to
// the patches by git blame, and every report saying which lines ran, which did not, and what cannot be measured.
import t from 'tap';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { qemuPids, runCli, timed } from '../test-support/cli.js';
import { COVERAGE_UNCALLED_PATCH, SERIES_MBOX } from '../test-support/paths.js';
import type { RunResult } from '../model/result.js';
import type { CoverageResult } from '../model/coverage.js';
import { E2E_TIMEOUT_MS } from '../test-support/timeouts.js';

t.setTimeout(E2E_TIMEOUT_MS['11-coverage']);

const GUEST_C = 'arch/arm64/kvm/guest.c';
const INJECT_C = 'arch/arm64/kvm/inject_fault.c';

/** The final tree's line numbers whose text matches. */
const linesMatching = (source: string, re: RegExp): number[] =>
  source.split('\n').map((l, i) => (re.test(l) ? i + 1 : 0)).filter((n) => n > 0);

t.test('run --series <IABT series> --series <uncalled> --coverage: what ran, by which case, what did not, what cannot be measured', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sea-e2e-coverage-'));
  const r = await runCli(['run', '--series', SERIES_MBOX, '--series', COVERAGE_UNCALLED_PATCH, '--coverage', '--jobs', '1', '--out', dir, '--format', 'json']);
  timed(t, 'run --coverage (store hit of the coverage kernel)', r.durationMs);
  t.equal(r.exitCode, 0, 'exit 0: the cases pass as they do without coverage', { stderr: r.stderr.slice(-3000) });
  const result = JSON.parse(r.stdout) as RunResult;
  const c = result.coverage as CoverageResult;
  t.ok(c, 'result.json has coverage', { coverageError: result.coverageError });
  t.equal(c.schema, 'sea-harness/coverage@1');
  t.equal(c.scope, 'per-case', 'one case at a time (--jobs 1): the figures are per case');
  t.same([...c.instrumented].sort(), ['arch/arm64/kvm/arm.o', 'arch/arm64/kvm/guest.o', 'arch/arm64/kvm/inject_fault.o'], 'only the series\' C files were built with gcov');
  t.same(c.patches.map((p) => p.patch), [1, 2, 3, 4]);
  t.same(c.gaps, [], 'every reading came back');

  // Patch 2: the IABT injection and the EINVAL branch for DABT+IABT together ran, and inject_iabt is what ran them.
  // gcc -O2 gives `return -EINVAL;` and the kvm_inject_sea_iabt() call no counter of their own (merged into the
  // function's exit and the branch's block): the ways of the conditions before them say whether they ran.
  const src = readFileSync(join(dir, 'coverage', 'src', GUEST_C), 'utf8');
  const p2 = c.patches[1]!;
  const g2 = p2.files.find((f) => f.path === GUEST_C);
  t.equal(g2?.measure, 'instrumented');
  const [both] = linesMatching(src, /if \(ext_dabt_pending && ext_iabt_pending\)/);
  const [elseIabt] = linesMatching(src, /} else if \(ext_iabt_pending\) {/);
  const [iabtCall] = linesMatching(src, /ret = kvm_inject_sea_iabt\(vcpu, kvm_vcpu_get_hfar\(vcpu\)\);/);
  t.ok(both && elseIabt && iabtCall, `found in the final guest.c: ${both}, ${elseIabt}, ${iabtCall}`);
  t.match(src.split('\n')[both!], /return -EINVAL;/, 'the EINVAL return follows the check');
  const byCase = (name: string) => c.snapshots.find((s) => s.cases.length === 1 && s.cases[0] === name)?.patches.find((p) => p.patch === 2)?.ranLines.find((f) => f.path === GUEST_C);
  const iabtCase = byCase('inject_iabt');
  const ways = (r: typeof iabtCase, line: number) => r?.branchLines.find((b) => b.line === line);
  const check = ways(iabtCase, both!);
  t.ok(check && check.total >= 2 && check.taken === check.total, `inject_iabt took every way of the DABT+IABT check (${GUEST_C}:${both}: ${check?.taken} of ${check?.total}): the EINVAL return ran`);
  t.ok(iabtCase?.lines.includes(iabtCall! + 1), `inject_iabt ran the IABT arm (${GUEST_C}:${iabtCall! + 1}, after the kvm_inject_sea_iabt() call)`);
  t.ok(iabtCase?.lines.includes(elseIabt!), `and its else-if (${GUEST_C}:${elseIabt})`);
  t.notOk(g2!.notRun.some((u) => u.first <= iabtCall! + 1 && iabtCall! - 1 <= u.last), 'none of those lines is listed as not run');
  t.notOk(byCase('sea_to_user')?.lines.includes(iabtCall! + 1), 'sea_to_user injects no IABT: its reading does not have the IABT arm');
  t.notOk(byCase('external_aborts')?.lines.includes(iabtCall! + 1), 'external_aborts injects a DABT: nor does its reading');
  t.ok(c.snapshots.some((s) => s.cases[0] === '(boot)'), 'what ran while the L1 booted is its own reading');

  // Patch 1: the FnV check in inject_abt64 runs with every injected abort; setting FnV needs a FAR that is not
  // valid, which none of the cases makes: that line is listed as not run, at its place.
  const p1 = c.patches[0]!;
  const inj = p1.files.find((f) => f.path === INJECT_C)!;
  const injSrc = readFileSync(join(dir, 'coverage', 'src', INJECT_C), 'utf8');
  const [fnvCheck] = linesMatching(injSrc, /if \(!kvm_vcpu_sea_far_valid\(vcpu\)\)/);
  t.ok(inj.ranLines.includes(fnvCheck!), `${INJECT_C}:${fnvCheck} (the FnV check) ran`);
  t.same(inj.notRun.map((u) => [u.first, u.last, u.function]), [[fnvCheck! + 1, fnvCheck! + 1, 'inject_abt64']], `${INJECT_C}:${fnvCheck! + 1} (esr |= ESR_ELx_FnV) did not run`);
  t.match(r.stderr, new RegExp(`not run: ${INJECT_C.replace(/\//g, '\\/')}:${fnvCheck! + 1} in inject_abt64`));
  t.equal(p1.files.find((f) => f.path === 'arch/arm64/include/asm/kvm_emulate.h')?.measure, 'header');
  t.ok(p1.files.find((f) => f.path === 'arch/arm64/include/asm/kvm_emulate.h')!.ran > 0, 'the header\'s helper counted where inject_fault.o inlines it');

  // Patch 3 is the selftest: no kernel lines. Patch 4 (ours): 0 of N, every line listed with its function.
  t.equal(c.patches[2]!.executable, 0);
  const p4 = c.patches[3]!;
  t.ok(p4.executable >= 4, `patch 4 has ${p4.executable} code lines`);
  t.equal(p4.ran, 0, 'patch 4: 0 lines ran');
  const unrun = p4.files.find((f) => f.path === GUEST_C)!.notRun;
  t.ok(unrun.length >= 1 && unrun.every((u) => u.function === 'sea_harness_uncalled'), 'its not-run lines are in sea_harness_uncalled');
  const first = src.split('\n').findIndex((l) => l.startsWith('int sea_harness_uncalled(struct kvm_vcpu *vcpu, int n)') && !l.endsWith(';')) + 1;
  t.ok(unrun[0]!.first >= first && unrun[unrun.length - 1]!.last <= first + 9, `listed at the right lines (function at ${GUEST_C}:${first}: ${unrun.map((u) => `${u.first}-${u.last}`).join(', ')})`);

  // EL2: the series' header is compiled into nVHE objects; they are listed as not measurable, never as 0 %.
  t.ok(c.notMeasurableObjects.some((o) => /^arch\/arm64\/kvm\/hyp\/nvhe\/.*\.nvhe\.o$/.test(o)), `EL2 objects listed: ${c.notMeasurableObjects.slice(0, 3).join(', ')}`);
  t.notOk(c.instrumented.some((o) => o.includes('/hyp/')), 'no EL2 object was instrumented');

  // Reports: the human one (stderr with --format json), summary.md, lcov, HTML.
  t.match(r.stderr, new RegExp(`patch 4/4: 0 of ${p4.executable} new lines ran`));
  t.match(r.stderr, new RegExp(`not run: ${GUEST_C.replace(/\//g, '\\/')}:\\d+(-\\d+)? in sea_harness_uncalled`));
  t.match(r.stderr, /not measurable: \d+ EL2 objects compile the series' files/);
  const md = readFileSync(join(dir, 'summary.md'), 'utf8');
  t.match(md, /### Patch coverage/);
  t.match(md, /\| 2\/4 \| \d+ of \d+ new lines ran/);
  const info = readFileSync(join(dir, 'coverage', 'kernel.info'), 'utf8');
  t.match(info, new RegExp(`SF:.*/coverage/src/${GUEST_C.replace(/\//g, '\\/')}`));
  t.match(info, /FNDA:0,sea_harness_uncalled/);
  t.ok(existsSync(join(dir, 'coverage', 'html', 'index.html')), 'genhtml\'s report');
  t.same(qemuPids(dir), []);
});
