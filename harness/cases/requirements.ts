// What the booted L1 lacks for a case (its `requires`: /dev/kvm, free 1 GiB hugepages): a pure rule, so a case
// that cannot run there ends in `error` with the reason instead of a confusing skip or fail.
import type { CaseDefinition } from '../catalog/cases.js';

/** The part of the L1 environment a case's requirements are checked against. */
export interface L1Provides {
  readonly devKvm: boolean;
  readonly hugepages1G: { readonly total: number; readonly free: number };
}

/** Each missing requirement as a phrase for people; empty when the L1 provides everything the case needs. */
export function unmetRequirements(requires: CaseDefinition['requires'], env: L1Provides): string[] {
  const missing: string[] = [];
  if (requires.devKvm && !env.devKvm) missing.push('/dev/kvm (KVM did not initialise in the L1: is EL2 there, virtualization=on?)');
  if (env.hugepages1G.free < requires.hugepages1G) {
    missing.push(`${requires.hugepages1G} free 1 GiB hugepage(s) (the L1 has ${env.hugepages1G.free} of ${env.hugepages1G.total})`);
  }
  return missing;
}
