// What the L1 lacks for a case, with the requirements of the case files in cases/: /dev/kvm and free 1 GiB hugepages.
import t from 'tap';
import { loadCases } from '../catalog/cases.js';
import { unmetRequirements, type L1Provides } from './requirements.js';

const cases = new Map(loadCases().map((c) => [c.name, c]));
const SEA = cases.get('sea_to_user')!.requires;
const IABT = cases.get('inject_iabt')!.requires;
/** The default profile's L1 (hugepagesz=1G hugepages=1 on its command line) with KVM up. */
const L1: L1Provides = { devKvm: true, hugepages1G: { total: 1, free: 1 } };

t.test('the 1 GiB hugepage check: exactly enough free is enough (the `free < needed` mutated to `<=`)', async (t) => {
  t.equal(SEA.hugepages1G, 1, 'sea_to_user asks for one');
  t.same(unmetRequirements(SEA, L1), [], 'one free, one needed: sea_to_user runs');
  t.same(unmetRequirements(SEA, { ...L1, hugepages1G: { total: 2, free: 2 } }), []);
  t.same(unmetRequirements({ ...SEA, hugepages1G: 2 }, { ...L1, hugepages1G: { total: 2, free: 2 } }), [], 'two needed, two free');
});

t.test('too few free 1 GiB hugepages, named with what the L1 has', async (t) => {
  t.same(unmetRequirements(SEA, { ...L1, hugepages1G: { total: 1, free: 0 } }), ['1 free 1 GiB hugepage(s) (the L1 has 0 of 1)'], 'another case holds it');
  t.same(unmetRequirements(SEA, { ...L1, hugepages1G: { total: 0, free: 0 } }), ['1 free 1 GiB hugepage(s) (the L1 has 0 of 0)'], 'none reserved at boot');
  t.same(unmetRequirements({ ...SEA, hugepages1G: 2 }, { ...L1, hugepages1G: { total: 2, free: 1 } }), ['2 free 1 GiB hugepage(s) (the L1 has 1 of 2)']);
});

t.test('/dev/kvm', async (t) => {
  const noKvm = { ...L1, devKvm: false };
  t.same(unmetRequirements(IABT, noKvm), ['/dev/kvm (KVM did not initialise in the L1: is EL2 there, virtualization=on?)']);
  t.same(unmetRequirements({ ...IABT, devKvm: false }, noKvm), [], 'a case that does not ask for it');
  t.same(unmetRequirements(IABT, { ...L1, hugepages1G: { total: 0, free: 0 } }), [], 'inject_iabt needs no hugepage');
  t.same(unmetRequirements(SEA, { devKvm: false, hugepages1G: { total: 1, free: 0 } }), [
    '/dev/kvm (KVM did not initialise in the L1: is EL2 there, virtualization=on?)',
    '1 free 1 GiB hugepage(s) (the L1 has 0 of 1)',
  ], 'both, in that order');
});
