// The guest options on the command line: their declarations (with help texts that say what the code does) and
// the one parser every command that boots an L1 uses (run, ci, bisect, bisect-step, shell).
import { loadProfile, DEFAULT_GUEST, type GuestProfile } from '../guest/profiles.js';
import { KVM_MODES, type Accel } from '../guest/qemu-args.js';
import { DEFAULT_BOOT_TIMEOUT_MS } from '../guest/boot.js';
import type { GuestOptions } from '../guest/options.js';
import { probeAccel } from '../host/doctor.js';
import { UsageError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { int, oneOf, str, type OptionSpec, type ParsedOptions } from './options.js';

export const GUEST_OPTIONS: readonly OptionSpec[] = [
  { name: 'guest', type: 'string', arg: 'NAME', help: 'guest profile from guests/ (default virt-ras-nested: the project QEMU with EINJ; virt-ras-nested-ff firmware first; virt-ras-nested-stock Debian QEMU; virt-dt)' },
  { name: 'accel', type: 'string', arg: 'tcg|kvm|auto', help: 'QEMU accelerator (default auto: KVM when usable and the profile allows it, else TCG)' },
  { name: 'kvm-mode', type: 'string', arg: 'MODE', help: 'the L1\'s kvm-arm.mode: vhe, nvhe, protected or nested' },
  { name: 'append', type: 'string', arg: 'ARGS', help: 'extra L1 kernel command line' },
  { name: 'qemu', type: 'string', arg: 'PATH', help: "qemu-system-aarch64 to use instead of the profile's (the project's build from qemu/, or Debian's)" },
  { name: 'bios', type: 'string', arg: 'PATH', help: 'UEFI firmware to use (default Debian\'s QEMU_EFI.fd)' },
  { name: 'boot-timeout', type: 'string', arg: 'SECONDS', help: `how long the L1 may take to reach SSH (default ${DEFAULT_BOOT_TIMEOUT_MS / 1000}, whatever the accelerator)` },
  { name: 'show-command', type: 'boolean', help: 'print the QEMU command line' },
];

/** The per-case options that are part of the guest options (they decide results too). */
export const CASE_RUN_OPTIONS: readonly OptionSpec[] = [
  { name: 'timeout', type: 'string', arg: 'SECONDS', help: 'per-case timeout (default: the case\'s own timeoutSeconds from cases/, the same under TCG and KVM)' },
  { name: 'jobs', type: 'string', arg: 'N', help: 'cases at once in the L1 (default: one per L1 vCPU; 1: one after another); a verdict beside others that is not clean is re-checked alone' },
];

/**
 * The project's EINJ and poisoned memory live in QEMU's TCG memory path (QEMU refuses einj=on under KVM): a profile
 * that provides EINJ runs under TCG; `auto` chooses that, `--accel kvm` is refused with the alternatives.
 */
async function resolveAccel(values: ParsedOptions, log: Logger, profile: GuestProfile): Promise<Accel> {
  const want = oneOf(values, 'accel', ['tcg', 'kvm', 'auto'] as const) ?? 'auto';
  if (want === 'tcg') return 'tcg';
  if (profile.provides.includes('einj')) {
    if (want === 'kvm') throw new UsageError(`--accel kvm: guest profile ${profile.name} provides EINJ, which the project's QEMU models under TCG only`, 'use --accel tcg (or auto), or --guest virt-ras-nested-stock to run under KVM without EINJ');
    log.debug(`accel: ${profile.name} provides EINJ: TCG`);
    return 'tcg';
  }
  const probe = await probeAccel();
  if (want === 'kvm' && !probe.kvmUsable) throw new UsageError(`--accel kvm: ${probe.reason}`, 'use --accel tcg (or auto)');
  if (want === 'auto' && !probe.kvmUsable) {
    log.debug(`accel: ${probe.reason}`);
    return 'tcg';
  }
  return 'kvm';
}

/** The one parser of the guest options (options a command does not declare come out null). */
export async function guestOptionsFrom(values: ParsedOptions, log: Logger): Promise<GuestOptions> {
  const profile = loadProfile(str(values, 'guest') ?? DEFAULT_GUEST);
  const bootTimeout = int(values, 'boot-timeout');
  return {
    profile,
    accel: await resolveAccel(values, log, profile),
    kvmMode: oneOf(values, 'kvm-mode', KVM_MODES) ?? null,
    append: str(values, 'append') ?? null,
    qemu: str(values, 'qemu') ?? null,
    bios: str(values, 'bios') ?? null,
    bootTimeoutMs: bootTimeout ? bootTimeout * 1000 : null,
    timeoutSeconds: int(values, 'timeout') ?? null,
    jobs: int(values, 'jobs') ?? null,
  };
}
