// What sea_to_user saw of KVM's exit: the `kvm_run.arm_sea` lines it prints, read into the exit's ESR (decoded),
// GVA and GPA with whether each is valid (FnV for the GVA, KVM_EXIT_ARM_SEA_FLAG_GPA_VALID for the GPA); pure.
import { decodeEsr, describeEsr } from './esr.js';
import type { KvmSeaExit } from '../model/result.js';

/** include/uapi/linux/kvm.h (7.3): the only flag of struct kvm_run.arm_sea. */
const KVM_EXIT_ARM_SEA_FLAG_GPA_VALID = 1n;

export type SeaExit = KvmSeaExit;

export function parseSeaExit(stdout: string): SeaExit | null {
  const reason = /Dump kvm_run info about KVM_EXIT_(\w+)/.exec(stdout)?.[1] ?? null;
  const a = /kvm_run\.arm_sea: esr=(0x[0-9a-f]+|0), flags=(0x[0-9a-f]+|0)/i.exec(stdout);
  const b = /kvm_run\.arm_sea: gva=(0x[0-9a-f]+|0), gpa=(0x[0-9a-f]+|0)/i.exec(stdout);
  if (!a || !b) return null;
  const esr = BigInt(a[1]!);
  const flags = BigInt(a[2]!);
  const d = decodeEsr(esr);
  const gvaValid = d.fnv === false;
  const gpaValid = (flags & KVM_EXIT_ARM_SEA_FLAG_GPA_VALID) !== 0n;
  const exitReason = reason ? `KVM_EXIT_${reason}` : null;
  const description =
    `${exitReason ?? 'exit'}: esr=${a[1]} (${describeEsr(d)}), ` +
    `GVA ${b[1]} (${gvaValid ? 'valid: FnV=0' : 'not valid: FnV=1'}), ` +
    `GPA ${b[2]} (${gpaValid ? 'valid: flags has KVM_EXIT_ARM_SEA_FLAG_GPA_VALID' : `not valid: flags=${a[2]}`})`;
  return { exitReason, esr: a[1]!, flags: a[2]!, gva: b[1]!, gvaValid, gpa: b[2]!, gpaValid, description };
}
