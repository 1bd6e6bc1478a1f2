// Patch coverage's rules on data: which files are measured and how, who owns a line (real `git blame --porcelain`
// of the series on 7.3), gcov's JSON read tree-relative and summed, lines grouped into not-run runs, the text.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { planFile, gcovMakeVariables, coverageVariant, mentions, WHY } from './plan.js';
import { linesByPatch, parseBlamePorcelain } from './blame.js';
import { addGcovJson, addLine, functionAt, treeRelative, type CountsByFile } from './gcov-json.js';
import { attribute, patchTotals, unrunRuns, NO_OBJECT_COMPILES, NOT_BUILT, type SeriesPatchRef } from './attribute.js';
import { patchSummary, unrunLabel, elObjects, coverageLines } from './text.js';
import { lcovTracefile } from './lcov.js';
import { buildRelativeGcda, parseCounterDump } from './counter-dump.js';
import { COVERAGE_SCHEMA, type CoverageResult, type FileCoverage } from '../model/coverage.js';

const FIX = join(import.meta.dirname, 'fixtures');
/** The series' commits in the workspace the fixtures were recorded from (base 6ee0744, Debian 7.3.4). */
const P1 = '32f19545e43e60aed88c79aa45cb7ddfd04c13cc';
const P2 = 'cc377477e3a1ffed698db181ab1e95cf970728d7';
const P3 = 'd439fbd18adc504734d260acd6c01967a7162d2d';
const PATCHES: SeriesPatchRef[] = [
  { patch: 1, subject: 'KVM: arm64: Set FnV for VCPU when FAR_EL2 is invalid', commit: P1, files: ['arch/arm64/include/asm/kvm_emulate.h', 'arch/arm64/kvm/inject_fault.c'] },
  { patch: 2, subject: 'KVM: arm64: Allow userspace to inject external instruction aborts', commit: P2, files: ['arch/arm64/include/uapi/asm/kvm.h', 'arch/arm64/kvm/arm.c', 'arch/arm64/kvm/guest.c', 'include/uapi/linux/kvm.h'] },
  { patch: 3, subject: 'KVM: selftests: Test for KVM_CAP_INJECT_EXT_IABT', commit: P3, files: ['tools/arch/arm64/include/uapi/asm/kvm.h', 'tools/testing/selftests/kvm/Makefile.kvm', 'tools/testing/selftests/kvm/arm64/inject_iabt.c'] },
];
const guestBlame = parseBlamePorcelain(readFileSync(join(FIX, 'guest.c.blame-porcelain'), 'utf8'));
const injectBlame = parseBlamePorcelain(readFileSync(join(FIX, 'inject_fault.c.blame-porcelain'), 'utf8'));

t.test('planFile: EL2, assembly, headers, C, and what is not kernel', async (t) => {
  t.equal(planFile({ path: 'arch/arm64/kvm/hyp/exception.c', deleted: false }).measure, 'not-measurable');
  t.equal(planFile({ path: 'arch/arm64/kvm/hyp/exception.c', deleted: false }).why, WHY.el2);
  t.equal(planFile({ path: 'arch/arm64/kvm/hyp/nvhe/switch.c', deleted: false }).object, null, 'no EL2 object is instrumented');
  t.equal(planFile({ path: 'arch/arm64/kvm/hyp.c', deleted: false }).measure, 'instrumented', 'only the hyp/ directory is EL2');
  t.equal(planFile({ path: 'arch/arm64/kernel/entry.S', deleted: false }).why, WHY.assembly);
  t.equal(planFile({ path: 'arch/arm64/kernel/head.s', deleted: false }).measure, 'not-measurable');
  t.same(planFile({ path: 'arch/arm64/kvm/guest.c', deleted: false }), { path: 'arch/arm64/kvm/guest.c', measure: 'instrumented', why: null, object: 'arch/arm64/kvm/guest.o' });
  t.equal(planFile({ path: 'arch/arm64/include/asm/kvm_emulate.h', deleted: false }).measure, 'header');
  t.equal(planFile({ path: 'tools/testing/selftests/kvm/arm64/inject_iabt.c', deleted: false }).measure, 'not-kernel');
  t.equal(planFile({ path: 'scripts/kconfig/conf.c', deleted: false }).measure, 'not-kernel');
  t.equal(planFile({ path: 'Documentation/virt/kvm/api.rst', deleted: false }).measure, 'not-kernel');
  t.equal(planFile({ path: 'arch/arm64/kvm/Makefile', deleted: false }).measure, 'not-kernel');
  t.equal(planFile({ path: 'arch/arm64/kvm/old.c', deleted: true }).measure, 'not-kernel', 'a deleted file has nothing left to run');
  t.equal(planFile({ path: 'arch/arm64/kvm/hyp/old.c', deleted: true }).measure, 'not-measurable', 'EL2 wins over deleted: it was never measurable');
});

t.test('make variables: one per object stem, sorted, no duplicates; the variant names them', async (t) => {
  const files = ['arch/arm64/kvm/guest.c', 'arch/arm64/kvm/arm.c', 'virt/kvm/guest.c', 'arch/arm64/kvm/hyp/nvhe/switch.c', 'include/linux/kvm_host.h'].map((path) => planFile({ path, deleted: false }));
  t.same(gcovMakeVariables(files), ['GCOV_PROFILE_arm.o=y', 'GCOV_PROFILE_guest.o=y']);
  t.equal(coverageVariant(files), 'gcov:GCOV_PROFILE_arm.o=y,GCOV_PROFILE_guest.o=y');
  t.equal(coverageVariant([planFile({ path: 'include/linux/kvm_host.h', deleted: false })]), null, 'nothing to instrument: no variant');
});

t.test('blame: every line of the final tree, owned by the commit that last changed it', async (t) => {
  t.equal(guestBlame.length, readFileSync(join(FIX, 'guest.c.blame-porcelain'), 'utf8').split('\n').filter((l) => l.startsWith('\t')).length);
  t.same(guestBlame.map((b) => b.line), guestBlame.map((_, i) => i + 1), 'lines 1..N in order');
  const byPatch = linesByPatch(guestBlame, [P1, P2, P3]);
  t.notOk(byPatch.has(1), 'patch 1 does not touch guest.c');
  t.same(byPatch.get(2)!.map((b) => b.line), [759, 760, 761, 786, 790, 791, 792, 793, 802, 803, 804]);
  t.match(byPatch.get(2)!.find((b) => b.line === 791)!.text, /ext_dabt_pending && ext_iabt_pending/);
  t.same(linesByPatch(injectBlame, [P1, P2, P3]).get(1)!.map((b) => b.line), [158, 159, 160]);
  t.same(parseBlamePorcelain('not porcelain\n\tstray text\n'), [], 'text without a header is not a line');
});

t.test('treeRelative: absolute, build-relative and already tree-relative names', async (t) => {
  const src = '/c/ws/src';
  t.equal(treeRelative('/c/ws/src/arch/arm64/kvm/guest.c', '/c/ws/build', src), 'arch/arm64/kvm/guest.c');
  t.equal(treeRelative('../src/include/linux/kvm_host.h', '/c/ws/build', src), 'include/linux/kvm_host.h');
  t.equal(treeRelative('arch/arm64/kvm/guest.c', '/c/ws/build', src), 'arch/arm64/kvm/guest.c', 'a prefix-mapped name');
  t.equal(treeRelative('/usr/lib/gcc-cross/aarch64-linux-gnu/12/include/stdarg.h', '/c/ws/build', src), null);
  t.equal(treeRelative('/c/ws/src2/x.c', '/c/ws/build', src), null, 'a sibling directory with the same prefix is not the tree');
  t.equal(treeRelative('/c/ws/src', '/c/ws/build', `${src}/`), null);
  t.equal(treeRelative('../../elsewhere/x.c', '/c/ws/build', src), null);
});

const gcovDoc = (file: string, lines: Array<[number, number, string?, number[]?]>, functions: Array<[string, number, number, number]> = []) =>
  JSON.stringify({
    format_version: '1',
    gcc_version: '12.2.0',
    current_working_directory: '/tmp/gcov-scratch',
    files: [{ file, lines: lines.map(([n, c, f, b]) => ({ line_number: n, count: c, ...(f ? { function_name: f } : {}), branches: (b ?? []).map((count, i) => ({ count, fallthrough: i === 0, throw: false })) })), functions: functions.map(([name, s, e, c]) => ({ name, start_line: s, end_line: e, execution_count: c, blocks: 1, blocks_executed: 0, start_column: 1, end_column: 1 })) }],
  });

t.test('addGcovJson: counts summed over documents, names relative to the build directory, not to gcov', async (t) => {
  const counts: CountsByFile = new Map();
  const out = [gcovDoc('/ws/src/arch/arm64/kvm/guest.c', [[790, 0, 'f'], [791, 2, 'f', [2, 0]]], [['f', 780, 800, 2]]), gcovDoc('../src/arch/arm64/kvm/guest.c', [[791, 3, undefined, [2, 1]], [795, 0]], [['f', 780, 800, 1]])].join('\n');
  addGcovJson(counts, `${out}\n`, '/ws/src', '/ws/build');
  const g = counts.get('arch/arm64/kvm/guest.c')!;
  t.same(g.lines.get(791), { count: 5, function: 'f', branches: [4, 1] }, 'the same jumps: summed edge by edge');
  t.same(g.lines.get(790), { count: 0, function: 'f', branches: [] });
  t.same(g.lines.get(795), { count: 0, function: null, branches: [] });
  t.same(g.functions, [{ name: 'f', start: 780, end: 800, count: 3 }], 'one function, its entries summed');
  t.throws(() => addGcovJson(counts, '{"format_version":"2","files":[]}', '/ws/src', '/ws/build'), /format_version 2/);
  t.equal(functionAt(g, 795), 'f', 'a line without gcov\'s name takes the function range');
  t.equal(functionAt(g, 801), null);
  t.equal(functionAt(undefined, 1), null);
});

t.test('addLine: branches of different jumps (a header line in two objects) are kept side by side', async (t) => {
  t.same(addLine(undefined, { count: 1, function: null, branches: [1] }), { count: 1, function: null, branches: [1] });
  t.same(addLine({ count: 1, function: 'a', branches: [1, 0] }, { count: 2, function: null, branches: [0, 1, 1] }), { count: 3, function: 'a', branches: [1, 0, 0, 1, 1] });
  t.same(addLine({ count: 1, function: 'a', branches: [1, 0] }, { count: 2, function: 'b', branches: [0, 3] }), { count: 3, function: 'b', branches: [1, 3] });
  const counts: CountsByFile = new Map();
  addGcovJson(counts, JSON.stringify({ format_version: '1', files: [{ file: 'x.c', lines: [{ line_number: 3, count: 1, branches: [{ count: 1, throw: false }, { count: 0, throw: true }] }] }] }), '/s', '/b');
  t.same(counts.get('x.c')!.lines.get(3)!.branches, [1], 'exception edges are not ways of the condition');
});

t.test('functionAt: the innermost range when ranges nest (a nested function, a lambda-like static)', async (t) => {
  const counts: CountsByFile = new Map();
  addGcovJson(counts, gcovDoc('a.c', [], [['outer', 10, 50, 1], ['inner', 20, 30, 1]]), '/s', '/b');
  t.equal(functionAt(counts.get('a.c'), 25), 'inner');
  t.equal(functionAt(counts.get('a.c'), 40), 'outer');
  t.equal(functionAt(counts.get('a.c'), 20), 'inner', 'the range includes its first line');
  t.equal(functionAt(counts.get('a.c'), 30), 'inner', 'and its last');
});

/** Counts as the IABT case would leave them in guest.c: the DABT+IABT EINVAL branch ran, the SError path did not. */
function guestCounts(ran: Record<number, number>, notRun: number[], branches: Record<number, number[]> = {}): CountsByFile {
  const counts: CountsByFile = new Map();
  const fn = '__kvm_arm_vcpu_set_events';
  const lines: Array<[number, number, string, number[]?]> = [...Object.entries(ran).map(([n, c]) => [Number(n), c, fn, branches[Number(n)]] as [number, number, string, number[]?]), ...notRun.map((n) => [n, 0, fn, branches[n]] as [number, number, string, number[]?])];
  addGcovJson(counts, gcovDoc('/ws/src/arch/arm64/kvm/guest.c', lines, [['__kvm_arm_vcpu_set_events', 770, 830, 4]]), '/ws/src', '/ws/build');
  return counts;
}

t.test('attribute: per patch and file, what ran, what did not (in runs), what cannot be measured', async (t) => {
  const files = ['arch/arm64/kvm/guest.c', 'arch/arm64/kvm/inject_fault.c', 'arch/arm64/include/asm/kvm_emulate.h', 'arch/arm64/kvm/hyp/exception.c', 'tools/testing/selftests/kvm/arm64/inject_iabt.c'].map((path) => planFile({ path, deleted: false }));
  const counts = guestCounts({ 786: 4, 790: 4, 791: 4, 792: 1, 802: 1 }, [793, 803, 804], { 791: [1, 3], 802: [1, 0], 803: [0, 0] });
  const blame = new Map([
    ['arch/arm64/kvm/guest.c', guestBlame],
    ['arch/arm64/kvm/inject_fault.c', injectBlame],
    ['arch/arm64/kvm/hyp/exception.c', [{ line: 5, commit: P1, text: 'x' }, { line: 6, commit: P1, text: 'y' }]],
  ]);
  const [p1, p2, p3] = attribute({ patches: PATCHES, files, blame, counts, built: new Set(['arch/arm64/kvm/guest.c']) });
  const g = p2!.files.find((f) => f.path === 'arch/arm64/kvm/guest.c')!;
  t.equal(g.lines, 11, 'patch 2 owns 11 lines of guest.c');
  t.equal(g.executable, 8, 'lines without a counter (braces, declarations) are not code');
  t.equal(g.ran, 5);
  t.same(g.ranLines, [786, 790, 791, 792, 802]);
  t.same(g.notRun.map((r) => [r.first, r.last, r.function]), [[793, 793, '__kvm_arm_vcpu_set_events'], [803, 804, '__kvm_arm_vcpu_set_events']], '802 ran: 793 and 803-804 are two runs');
  t.match(g.notRun[1]!.source.join('\n'), /\S/, 'each run carries its source');
  t.equal(p2!.executable, 8);
  t.equal(p2!.ran, 5);
  t.same(g.branchLines, [
    { line: 791, taken: 2, total: 2, function: '__kvm_arm_vcpu_set_events' },
    { line: 802, taken: 1, total: 2, function: '__kvm_arm_vcpu_set_events' },
    { line: 803, taken: 0, total: 2, function: '__kvm_arm_vcpu_set_events' },
  ]);
  t.same(p2!.branches, { taken: 3, total: 6 });

  const inj = p1!.files.find((f) => f.path === 'arch/arm64/kvm/inject_fault.c')!;
  t.equal(inj.measure, 'not-built', 'instrumented but without notes: this config does not compile it');
  t.equal(inj.why, NOT_BUILT);
  t.equal(inj.executable, 0);
  const el2 = p1!.files.find((f) => f.path === 'arch/arm64/kvm/hyp/exception.c')!;
  t.equal(el2.measure, 'not-measurable');
  t.equal(p1!.notMeasurable, 2, 'EL2 lines are counted as not measurable, not as not run');
  t.equal(p1!.executable, 0);
  t.same(p3!.files.map((f) => [f.path, f.measure, f.lines]), [['tools/testing/selftests/kvm/arm64/inject_iabt.c', 'not-kernel', 0]], 'patch 3: the selftest, no kernel lines (only the files planned are listed)');
});

t.test('attribute: a header counts where instrumented objects compile it; if none does, it says so', async (t) => {
  const header = planFile({ path: 'arch/arm64/include/asm/kvm_emulate.h', deleted: false });
  const blame = new Map([['arch/arm64/include/asm/kvm_emulate.h', [{ line: 493, commit: P1, text: '/* c */' }, { line: 496, commit: P1, text: '\treturn !(x);' }]]]);
  const withData: CountsByFile = new Map();
  addGcovJson(withData, gcovDoc('/ws/src/arch/arm64/include/asm/kvm_emulate.h', [[496, 7, 'inject_abt64']]), '/ws/src', '/ws/build');
  const [a] = attribute({ patches: PATCHES.slice(0, 1), files: [header], blame, counts: withData, built: new Set() });
  t.same([a!.files[0]!.executable, a!.files[0]!.ran, a!.files[0]!.why], [1, 1, null]);
  const [b] = attribute({ patches: PATCHES.slice(0, 1), files: [header], blame, counts: new Map(), built: new Set() });
  t.same([b!.files[0]!.measure, b!.files[0]!.executable, b!.files[0]!.why], ['header', 0, NO_OBJECT_COMPILES]);
});

t.test('unrunRuns: a line that ran splits a run; lines without counters do not; the function splits it too', async (t) => {
  const all = Array.from({ length: 20 }, (_, i) => ({ line: i + 1, commit: P1, text: `l${i + 1}` }));
  const counts: CountsByFile = new Map();
  addGcovJson(counts, gcovDoc('a.c', [[3, 0, 'f'], [5, 0, 'f'], [6, 1, 'f'], [7, 0, 'f'], [12, 0, 'g']]), '/s', '/b');
  const runs = unrunRuns([3, 5, 7, 12], [6], all, counts.get('a.c'));
  t.same(runs.map((r) => [r.first, r.last, r.function]), [[3, 5, 'f'], [7, 7, 'f'], [12, 12, 'g']]);
  t.same(runs[0]!.source, ['l3', 'l4', 'l5'], 'the lines between are shown');
  t.same(unrunRuns([5, 3], [], all, counts.get('a.c')).map((r) => [r.first, r.last]), [[3, 5]], 'input order does not matter');
  t.same(unrunRuns([], [1], all, undefined), []);
});

const sample = (): CoverageResult => {
  const files = ['arch/arm64/kvm/guest.c', 'tools/testing/selftests/kvm/arm64/inject_iabt.c'].map((path) => planFile({ path, deleted: false }));
  const patches = attribute({ patches: PATCHES, files, blame: new Map([['arch/arm64/kvm/guest.c', guestBlame]]), counts: guestCounts({ 786: 1, 790: 1, 791: 1 }, [792, 793], { 791: [0, 1] }), built: new Set(['arch/arm64/kvm/guest.c']) });
  return { schema: COVERAGE_SCHEMA, scope: 'per-case', instrumented: ['arch/arm64/kvm/guest.o'], notMeasurableObjects: ['arch/arm64/kvm/hyp/nvhe/switch.nvhe.o'], patches, snapshots: [], gaps: [], artifacts: { lcov: 'coverage/kernel.info', html: null } };
};

t.test('text: the patch line, the not-run runs with file:line and function, EL2 never as 0 %', async (t) => {
  const c = sample();
  t.equal(patchSummary(c.patches[1]!, 3), 'patch 2/3: 3 of 5 new lines ran, 1 of 2 ways of their branches taken');
  t.equal(unrunLabel('arch/arm64/kvm/guest.c', { first: 795, last: 796, function: '__kvm_arm_vcpu_set_events', source: [] }), 'arch/arm64/kvm/guest.c:795-796 in __kvm_arm_vcpu_set_events');
  t.equal(unrunLabel('a.c', { first: 7, last: 7, function: null, source: [] }), 'a.c:7');
  t.equal(patchSummary(c.patches[0]!, 3), 'patch 1/3: no kernel lines to run (it leaves no line in the files the series touches)');
  t.equal(patchSummary(c.patches[2]!, 3), 'patch 3/3: no kernel lines to run (tools/testing/selftests/kvm/arm64/inject_iabt.c: not part of the kernel image)');
  const f = (path: string, why: string | null) => ({ path, measure: 'not-kernel' as const, why, lines: 0, executable: 0, ran: 0, ranLines: [], notRun: [], branchLines: [] });
  t.equal(
    patchSummary({ patch: 3, subject: 's', commit: P3, files: [f('tools/a.c', 'x'), f('tools/b.c', 'x'), f('Kconfig', 'y'), f('c.h', null)], executable: 0, ran: 0, branches: { taken: 0, total: 0 }, notMeasurable: 0 }, 3),
    'patch 3/3: no kernel lines to run (tools/a.c and 1 more: x; Kconfig: y; c.h: no code lines)',
    'grouped by reason',
  );
  const none = { taken: 0, total: 0 };
  t.equal(patchSummary({ patch: 1, subject: 's', commit: P1, files: [], executable: 0, ran: 0, branches: none, notMeasurable: 4 }, 1), 'patch 1/1: not measurable (4 lines in EL2 or assembly code)');
  t.equal(patchSummary({ patch: 1, subject: 's', commit: P1, files: [], executable: 2, ran: 0, branches: none, notMeasurable: 4 }, 1), 'patch 1/1: 0 of 2 new lines ran; 4 more in EL2 or assembly code, not measurable');
  const text = coverageLines(c).join('\n');
  t.match(text, /not run: arch\/arm64\/kvm\/guest\.c:792-793 in __kvm_arm_vcpu_set_events/);
  t.match(text, /branch not always taken: arch\/arm64\/kvm\/guest\.c:791 in __kvm_arm_vcpu_set_events \(1 of 2 ways\)/, 'a line that ran but took one way of its jump');
  t.notMatch(text, /branch not always taken: .*:79[23]/, 'lines that did not run at all are listed once, as not run');
  t.match(text, /counters reset before each case/);
  t.match(text, /not measurable: 1 EL2 object compiles the series' files \(arch\/arm64\/kvm\/hyp\/nvhe\/switch\.nvhe\.o\): gcov cannot count there/);
  t.match(elObjects(['a', 'b', 'c', 'd']), /^4 EL2 objects .*\(a, b, c, \.\.\.\)/);
  t.match(coverageLines({ ...c, scope: 'together' }).join('\n'), /figures are for the cases together/);
});

t.test('lcov: records for files with counts, FN/FNDA/DA with LF/LH totals', async (t) => {
  const counts = guestCounts({ 786: 2, 790: 1 }, [793], { 790: [1, 0], 793: [0, 0] });
  const text = lcovTracefile(counts, ['arch/arm64/kvm/guest.c', 'x.c'], (p) => `/out/src/${p}`);
  t.same(text.split('\n').filter(Boolean), [
    'TN:sea-harness', 'SF:/out/src/arch/arm64/kvm/guest.c', 'FN:770,__kvm_arm_vcpu_set_events', 'FNDA:4,__kvm_arm_vcpu_set_events', 'FNF:1', 'FNH:1',
    'BRDA:790,0,0,1', 'BRDA:790,0,1,0', 'BRDA:793,0,0,-', 'BRDA:793,0,1,-', 'BRF:4', 'BRH:1',
    'DA:786,2', 'DA:790,1', 'DA:793,0', 'LF:3', 'LH:2', 'end_of_record',
  ]);
  t.equal(lcovTracefile(new Map(), ['x.c'], (p) => p), '', 'no counts: no file');
});

t.test('counter dump: files back from the L1\'s base64, paths to the build directory', async (t) => {
  const a = Buffer.from([0x61, 0x64, 0x63, 0x67, 0, 1, 2, 255]);
  const dump = `==sea-harness-gcda== ./ws/build/arch/arm64/kvm/guest.gcda\n${a.toString('base64')}\n==sea-harness-gcda== ./ws/build/empty.gcda\n`;
  const files = parseCounterDump(dump);
  t.same([...files.keys()], ['ws/build/arch/arm64/kvm/guest.gcda', 'ws/build/empty.gcda']);
  t.ok(files.get('ws/build/arch/arm64/kvm/guest.gcda')!.equals(a), 'bytes intact');
  t.equal(files.get('ws/build/empty.gcda')!.length, 0);
  t.equal(buildRelativeGcda('ws/build/arch/arm64/kvm/guest.gcda', '/ws/build'), 'arch/arm64/kvm/guest.gcda');
  t.equal(buildRelativeGcda('/ws/build/x.gcda', '/ws/build/'), 'x.gcda');
  t.equal(buildRelativeGcda('ws/build2/x.gcda', '/ws/build'), null, 'another build directory');
});

t.test('mentions: a path as a whole word of a .cmd file', async (t) => {
  const cmd = 'deps := \\\n  /s/arch/arm64/include/asm/kvm_emulate.h \\\n  /s/include/linux/kvm.h.orig \\\n  $(wildcard /s/x.h)\n';
  t.ok(mentions(cmd, '/s/arch/arm64/include/asm/kvm_emulate.h'));
  t.notOk(mentions(cmd, '/s/include/linux/kvm.h'), 'a longer name is not the file');
  t.ok(mentions(cmd, '/s/x.h'), 'inside $(wildcard ...)');
  t.ok(mentions('a /s/y.h', '/s/y.h'), 'at the end');
  t.notOk(mentions('', '/s/y.h'));
});

t.test('coverageLines: the whole section, line for line (readings, gaps, EL2 files, sources, artifacts)', async (t) => {
  const f = (over: Partial<FileCoverage>): FileCoverage => ({ path: 'a.c', measure: 'instrumented', why: null, lines: 3, executable: 3, ran: 1, ranLines: [10], notRun: [], branchLines: [], ...over });
  const c: CoverageResult = {
    schema: COVERAGE_SCHEMA,
    scope: 'together',
    instrumented: ['a.o'],
    notMeasurableObjects: ['h/1.nvhe.o', 'h/2.nvhe.o', 'h/3.nvhe.o', 'h/4.o'],
    patches: [
      {
        patch: 1, subject: 'one', commit: P1, executable: 3, ran: 1, branches: { taken: 1, total: 2 }, notMeasurable: 2,
        files: [
          f({ notRun: [{ first: 11, last: 12, function: 'g', source: ['x();', 'y();'] }], branchLines: [{ line: 10, taken: 1, total: 2, function: 'g' }, { line: 11, taken: 0, total: 2, function: 'g' }] }),
          f({ path: 'arch/arm64/kvm/hyp/e.c', measure: 'not-measurable', why: 'EL2', lines: 2, executable: 0, ran: 0, ranLines: [] }),
        ],
      },
      { patch: 2, subject: 'two', commit: P2, executable: 0, ran: 0, branches: { taken: 0, total: 0 }, notMeasurable: 0, files: [] },
    ],
    snapshots: [
      { cases: ['(boot)'], patches: [{ patch: 1, executable: 3, ran: 0, ranLines: [] }, { patch: 2, executable: 0, ran: 0, ranLines: [] }] },
      { cases: ['a', 'b'], patches: [{ patch: 1, executable: 3, ran: 1, ranLines: [] }] },
      { cases: ['c'], patches: [{ patch: 2, executable: 0, ran: 0, ranLines: [] }] },
    ],
    gaps: ['the counters of c were lost: the L1 was unusable after c'],
    artifacts: { lcov: 'coverage/kernel.info', html: 'coverage/html/index.html' },
  };
  t.same(coverageLines(c), [
    'patch coverage: kernel lines the series added or changed that ran in the L1 (the cases shared the L1: the figures are for the cases together)',
    '  patch 1/2: 1 of 3 new lines ran, 1 of 2 ways of their branches taken; 2 more in EL2 or assembly code, not measurable  one',
    '    not run: a.c:11-12 in g',
    '         11 | x();',
    '         12 | y();',
    '    branch not always taken: a.c:10 in g (1 of 2 ways)',
    '    not measurable: arch/arm64/kvm/hyp/e.c (EL2)',
    '  patch 2/2: no kernel lines to run (it leaves no line in the files the series touches)  two',
    "  not measurable: 4 EL2 objects compile the series' files (h/1.nvhe.o, h/2.nvhe.o, h/3.nvhe.o, ...): gcov cannot count there",
    '  (boot): patch 1 0/3',
    '  a + b: patch 1 1/3',
    '  c: no measurable lines',
    '  gap: the counters of c were lost: the L1 was unusable after c',
    '  lcov: coverage/kernel.info, HTML: coverage/html/index.html',
  ]);
  const bare = coverageLines({ ...c, snapshots: [c.snapshots[1]!], gaps: [], notMeasurableObjects: [], artifacts: { lcov: 'k.info', html: null } }, false);
  t.same(bare.slice(2, 4), ['    not run: a.c:11-12 in g', '    branch not always taken: a.c:10 in g (1 of 2 ways)'], 'without sources');
  t.equal(bare[bare.length - 1], '  lcov: k.info', 'no HTML when genhtml failed');
  t.notOk(bare.some((l) => l.includes('a + b')), 'one reading: no per-reading lines');
  t.same(coverageLines({ ...c, artifacts: { lcov: null, html: null } }).filter((l) => l.includes('lcov')), []);
  t.equal(elObjects(['x.o', 'y.o', 'z.o']), "3 EL2 objects compile the series' files (x.o, y.o, z.o): gcov cannot count there", 'three: no ellipsis');
});

t.test('patchTotals: per reading, each patch\'s totals and the lines that ran with their branch ways', async (t) => {
  const files = [planFile({ path: 'arch/arm64/kvm/guest.c', deleted: false })];
  const totals = patchTotals({ patches: PATCHES, files, blame: new Map([['arch/arm64/kvm/guest.c', guestBlame]]), counts: guestCounts({ 791: 1 }, [792], { 791: [1, 0] }), built: new Set(['arch/arm64/kvm/guest.c']) });
  t.same(totals, [
    { patch: 1, executable: 0, ran: 0, ranLines: [] },
    { patch: 2, executable: 2, ran: 1, ranLines: [{ path: 'arch/arm64/kvm/guest.c', lines: [791], branchLines: [{ line: 791, taken: 1, total: 2, function: '__kvm_arm_vcpu_set_events' }] }] },
    { patch: 3, executable: 0, ran: 0, ranLines: [] },
  ]);
});

t.test('counter dump: text before the first marker is ignored; base64 lines are joined whatever their width', async (t) => {
  const bytes = Buffer.from(Array.from({ length: 200 }, (_, i) => i));
  const b64 = bytes.toString('base64');
  const wrapped = b64.match(/.{1,76}/g)!.join('\n');
  const files = parseCounterDump(`motd\n${'==sea-harness-gcda== '}./a/b.gcda\n${wrapped}\n`);
  t.same([...files.keys()], ['a/b.gcda'], 'a leading ./ is dropped, nothing before the marker counts');
  t.ok(files.get('a/b.gcda')!.equals(bytes));
  t.same([...parseCounterDump('==sea-harness-gcda== x/./y.gcda\n').keys()], ['x/./y.gcda'], 'only the leading ./ goes');
  t.equal(buildRelativeGcda('//ws/build/x.gcda', '/ws/build'), 'x.gcda', 'leading slashes');
  t.equal(buildRelativeGcda('ws/build', '/ws/build'), null, 'the directory itself is no file in it');
});
