// Guest profiles (guests/*.json): the L1 machine as validated data.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../util/errors.js';
import { projectRoot } from '../util/project.js';
import { DataReader } from '../util/validate.js';

export interface GuestProfile {
  readonly name: string;
  readonly description: string;
  /** `-M` parts: machine type then options. */
  readonly machine: readonly string[];
  readonly cpu: string;
  readonly smp: number;
  readonly memoryMiB: number;
  /** `uefi`: boot through QEMU_EFI.fd so ACPI tables (and ras=on's HEST) reach the kernel; `none`: device tree. */
  readonly firmware: 'uefi' | 'none';
  readonly append: readonly string[];
  readonly expectAcpiTables: readonly string[];
  readonly kconfig: readonly string[];
  /**
   * Which qemu-system-aarch64 boots it: `sea-harness`, the project's build (qemu/: EINJ, poisoned memory, SEA
   * routing); `system`, the host's (Debian's qemu-system-arm). `--qemu PATH` overrides both.
   */
  readonly qemu: QemuKind;
  /** What the machine provides that case expectations are keyed to (cases/*.json `expect`). */
  readonly provides: readonly Capability[];
  readonly file: string;
}

export const QEMU_KINDS = ['sea-harness', 'system'] as const;
export type QemuKind = (typeof QEMU_KINDS)[number];

/**
 * `einj`: an ACPI EINJ table whose memory errors poison guest memory and fail as SEAs routed to EL2;
 * `firmwareFirst`: the platform records the error in GHES before the abort, so the L1's APEI claims it.
 */
export const CAPABILITIES = ['einj', 'firmwareFirst'] as const;
export type Capability = (typeof CAPABILITIES)[number];

export const DEFAULT_GUEST = 'virt-ras-nested';
const KEYS = ['name', 'description', 'machine', 'cpu', 'smp', 'memoryMiB', 'firmware', 'append', 'expectAcpiTables', 'kconfig', 'qemu', 'provides'];

export function parseProfile(file: string, value: unknown): GuestProfile {
  const r = DataReader.root(file, value).only(KEYS);
  const machine = r.strings('machine');
  if (machine.length === 0) r.fail('machine', 'expected at least the machine type');
  return {
    name: r.string('name'),
    description: r.string('description'),
    machine,
    cpu: r.string('cpu'),
    smp: r.number('smp', 1),
    memoryMiB: r.number('memoryMiB', 256),
    firmware: r.oneOf('firmware', ['uefi', 'none'] as const),
    append: r.strings('append', []),
    expectAcpiTables: r.strings('expectAcpiTables', []),
    kconfig: r.strings('kconfig', []),
    qemu: r.oneOf('qemu', QEMU_KINDS),
    provides: capabilities(r),
    file,
  };
}

function capabilities(r: DataReader): Capability[] {
  const list = r.strings('provides', []);
  for (const c of list) if (!(CAPABILITIES as readonly string[]).includes(c)) r.fail('provides', `"${c}" is not one of ${CAPABILITIES.join(', ')}`);
  if (list.includes('firmwareFirst') && !list.includes('einj')) r.fail('provides', 'firmwareFirst is a mode of einj: list both');
  return list as Capability[];
}

export function guestsDir(): string {
  return join(projectRoot(), 'guests');
}

export function loadProfiles(dir = guestsDir()): GuestProfile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const file = join(dir, f);
      const p = parseProfile(`guests/${f}`, JSON.parse(readFileSync(file, 'utf8')));
      if (`${p.name}.json` !== f) throw new UsageError(`guests/${f}: name "${p.name}" does not match the file name`);
      return p;
    });
}

export function loadProfile(name: string, dir = guestsDir()): GuestProfile {
  const all = loadProfiles(dir);
  const p = all.find((x) => x.name === name);
  if (!p) throw new UsageError(`--guest ${name}: no such guest profile`, `valid profiles: ${all.map((x) => x.name).join(', ')}`);
  return p;
}
