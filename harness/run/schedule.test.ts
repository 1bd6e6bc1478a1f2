// Which cases share the L1 and which verdicts beside others are re-checked alone, with the case files of cases/.
import t from 'tap';
import { adHocCase, loadCases, type CaseDefinition } from '../catalog/cases.js';
import { canStart, needsAloneRerun, nextToStart, type Slot } from './schedule.js';

const cases = new Map(loadCases().map((c) => [c.name, c]));
const slotOf = (c: CaseDefinition): Slot => ({ name: c.name, concurrent: c.concurrent, hugepages1G: c.requires.hugepages1G });
const sea = slotOf(cases.get('sea_to_user')!);
const iabt = slotOf(cases.get('inject_iabt')!);
const ext = slotOf(cases.get('external_aborts')!);
const adHoc = slotOf(adHocCase('arm64/hello_el2'));
const L1 = { jobs: 2, hugepages1GFree: 1 };

t.test('the three default cases may share the L1; an ad-hoc selftest runs alone', async (t) => {
  t.ok(sea.concurrent && iabt.concurrent && ext.concurrent, 'their case files say so');
  t.notOk(adHoc.concurrent);
  t.ok(canStart(iabt, [sea], L1), 'inject_iabt beside sea_to_user');
  t.ok(canStart(adHoc, [], L1), 'anything may start in an idle L1');
  t.notOk(canStart(adHoc, [sea], L1), 'an ad-hoc case waits for an idle L1');
  t.notOk(canStart(ext, [adHoc], L1), 'nothing joins an ad-hoc case');
});

t.test('limits: --jobs, one instance of a case at a time, the 1 GiB hugepages', async (t) => {
  t.notOk(canStart(ext, [sea, iabt], L1), 'two jobs are full');
  t.ok(canStart(ext, [sea, iabt], { ...L1, jobs: 3 }));
  t.notOk(canStart(iabt, [sea], { ...L1, jobs: 1 }), '--jobs 1: one after another');
  t.notOk(canStart(iabt, [iabt], { ...L1, jobs: 4 }), 'two iterations of a case never overlap');
  t.notOk(canStart({ ...sea, name: 'other' }, [sea], { jobs: 4, hugepages1GFree: 1 }), 'the only 1 GiB hugepage is held');
  t.ok(canStart({ ...sea, name: 'other' }, [sea], { jobs: 4, hugepages1GFree: 2 }));
});

t.test('next to start: plan order, skipping what cannot start yet', async (t) => {
  // --repeat 2 of the defaults, as the pipeline plans them (iteration-major).
  const plan = [sea, iabt, ext, sea, iabt, ext].map((s, i) => ({ ...s, id: i }));
  const id = (x: { id: number } | null) => x?.id ?? null;
  t.equal(id(nextToStart(plan, [], (x) => x, L1)), 0);
  t.equal(id(nextToStart(plan.slice(1), [plan[0]!], (x) => x, L1)), 1, 'inject_iabt beside sea_to_user');
  t.equal(id(nextToStart([plan[3]!, plan[4]!, plan[5]!], [plan[0]!], (x) => x, { jobs: 2, hugepages1GFree: 1 })), 4, 'sea_to_user #2 waits for #1: inject_iabt #2 goes first');
  t.equal(nextToStart(plan.slice(2), [plan[0]!, plan[1]!], (x) => x, L1), null, 'full');
});

t.test('a verdict beside others counts only when it is clean', async (t) => {
  const o = { met: true, timedOut: false, warningCount: 0, ranBeside: ['inject_iabt'], besideClean: true };
  t.notOk(needsAloneRerun(o), 'met, no warnings: kept');
  t.ok(needsAloneRerun({ ...o, met: false }), 'not met: re-run alone');
  t.ok(needsAloneRerun({ ...o, warningCount: 1 }), 'a kernel warning of unknown author: re-run alone');
  t.notOk(needsAloneRerun({ ...o, met: false, warningCount: 2, ranBeside: [] }), 'it ran alone: its verdict is its own');
});

t.test('a timeout beside others is re-run alone only when its neighbours were not clean', async (t) => {
  const hang = { met: false, timedOut: true, warningCount: 0, ranBeside: ['inject_iabt', 'external_aborts'], besideClean: true };
  t.notOk(needsAloneRerun(hang), 'neighbours ended cleanly: the hang is its own, no second full deadline');
  t.notOk(needsAloneRerun({ ...hang, warningCount: 3 }), 'its own RCU stalls do not buy a re-run when the neighbours were fine');
  t.ok(needsAloneRerun({ ...hang, besideClean: false }), 'a neighbour timed out too or saw warnings: the L1 may have been starved');
  t.ok(needsAloneRerun({ ...hang, timedOut: false, besideClean: true }), 'a fail beside others is still re-checked alone');
});
