// The guest options: everything besides the kernel and the cases that decides how the L1 runs and what its
// cases give. Declared once here, parsed once (cli/guest-options.ts), and keyed as a whole (never field by field).
import type { GuestProfile } from './profiles.js';
import type { Accel, KvmMode } from './qemu-args.js';

export interface GuestOptions {
  readonly profile: GuestProfile;
  readonly accel: Accel;
  /** The L1's kvm-arm.mode (null: the kernel's default). */
  readonly kvmMode: KvmMode | null;
  /** Extra L1 kernel command line. */
  readonly append: string | null;
  /** --qemu: a qemu-system-aarch64 instead of the profile's. */
  readonly qemu: string | null;
  /** --bios: UEFI firmware instead of Debian's QEMU_EFI.fd. */
  readonly bios: string | null;
  /** How long the L1 may take to reach SSH (null: the default). */
  readonly bootTimeoutMs: number | null;
  /** Per-case timeout in seconds (null: each case's own). */
  readonly timeoutSeconds: number | null;
  /** Cases at once in the L1 (null: one per L1 vCPU). */
  readonly jobs: number | null;
}

/**
 * What of the options decides a run's results, as one value for cache keys: every field (a field added later is
 * in the key without anyone remembering to add it), with QEMU named by what it is (the project's build by its
 * store key) rather than by path.
 */
export function guestOptionsKey(o: GuestOptions, qemuIdentity: string): Readonly<Record<string, unknown>> {
  return { ...o, qemu: qemuIdentity };
}
