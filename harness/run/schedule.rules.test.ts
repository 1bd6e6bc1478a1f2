// Sharing the L1 (--jobs) at its limits, with the case files of cases/: hugepages summed, ad-hoc cases alone, re-runs.
import t from 'tap';
import { adHocCase, loadCases, type CaseDefinition } from '../catalog/cases.js';
import { canStart, needsAloneRerun, nextToStart, type Slot } from './schedule.js';

const cases = new Map(loadCases().map((c) => [c.name, c]));
const slotOf = (c: CaseDefinition): Slot => ({ name: c.name, concurrent: c.concurrent, hugepages1G: c.requires.hugepages1G });
const SEA = slotOf(cases.get('sea_to_user')!);
const IABT = slotOf(cases.get('inject_iabt')!);
const EXT = slotOf(cases.get('external_aborts')!);
const HELLO = slotOf(adHocCase('arm64/hello_el2'));
/** A second case that holds a 1 GiB hugepage, as a site's own case file could. */
const SEA2 = { ...SEA, name: 'sea_to_user_twice' };

t.test('hugepages held by every running case are added up', async (t) => {
  t.ok(canStart(SEA2, [SEA, IABT], { jobs: 3, hugepages1GFree: 2 }), 'one held, one free for it');
  t.notOk(canStart(SEA2, [SEA, { ...SEA, name: 'third' }], { jobs: 3, hugepages1GFree: 2 }), 'both held');
  t.ok(canStart(SEA2, [SEA, { ...SEA, name: 'third' }], { jobs: 3, hugepages1GFree: 3 }));
  t.ok(canStart(EXT, [SEA, SEA2], { jobs: 3, hugepages1GFree: 2 }), 'a case needing none fits beside them');
  t.ok(canStart(SEA, [], { jobs: 1, hugepages1GFree: 0 }), 'alone it always may start: the requirement check gives it its own verdict');
});

t.test('one case that may not share blocks every other', async (t) => {
  t.notOk(canStart(EXT, [IABT, HELLO], { jobs: 3, hugepages1GFree: 1 }), 'one running case that may not share is enough');
  t.notOk(canStart(HELLO, [IABT], { jobs: 3, hugepages1GFree: 1 }));
  t.ok(canStart(EXT, [IABT, SEA], { jobs: 3, hugepages1GFree: 1 }));
  t.notOk(canStart(EXT, [IABT, SEA], { jobs: 2, hugepages1GFree: 1 }), 'two jobs full');
  t.ok(canStart(EXT, [IABT], { jobs: 2, hugepages1GFree: 1 }), 'one of two jobs free');
});

t.test('next to start', async (t) => {
  const L1 = { jobs: 2, hugepages1GFree: 1 };
  t.equal(nextToStart([SEA2, IABT], [SEA], (s) => s, L1), IABT, 'skips what does not fit, keeps plan order after it');
  t.equal(nextToStart([SEA2], [SEA], (s) => s, L1), null);
  t.equal(nextToStart([], [], (s) => s, L1), null);
  t.equal(nextToStart([HELLO, EXT], [], (s) => s, L1), HELLO, 'an idle L1 takes the first');
});

t.test('re-running alone', async (t) => {
  const clean = { met: true, timedOut: false, warningCount: 0, ranBeside: ['inject_iabt'], besideClean: true };
  t.notOk(needsAloneRerun(clean));
  t.notOk(needsAloneRerun({ ...clean, besideClean: false }), 'met without warnings: kept, whatever the neighbours did');
  t.ok(needsAloneRerun({ ...clean, warningCount: 1, besideClean: false }));
  t.ok(needsAloneRerun({ ...clean, met: false, timedOut: true, besideClean: false }));
  t.notOk(needsAloneRerun({ ...clean, met: false, timedOut: true, ranBeside: [], besideClean: false }), 'alone: its own');
  t.notOk(needsAloneRerun({ ...clean, met: true, timedOut: true }), 'an expected timeout beside clean neighbours');
});
