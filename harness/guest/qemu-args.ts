// QEMU command line for the L1, assembled from a guest profile and run options; pure, so it is tested on data.
import { isAbsolute } from 'node:path';
import type { SandboxPolicy } from '../util/sandbox.js';
import type { GuestProfile } from './profiles.js';

export type Accel = 'tcg' | 'kvm';
export type KvmMode = 'vhe' | 'nvhe' | 'protected' | 'nested';
export const KVM_MODES: readonly KvmMode[] = ['vhe', 'nvhe', 'protected', 'nested'];

export const DEFAULT_QEMU = 'qemu-system-aarch64';
export const DEFAULT_BIOS = '/usr/share/qemu-efi-aarch64/QEMU_EFI.fd';
/**
 * QEMU's seccomp filter as libvirt sets it: no obsolete system calls, no set*uid, no fork/exec, no scheduler or
 * resource-limit changes. (QEMU runs as uid 65534 from the start, inside bubblewrap: nothing left to drop.)
 */
export const QEMU_SECCOMP = 'on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny';

export interface QemuArgsInput {
  readonly profile: GuestProfile;
  readonly kernel: string;
  readonly initrd: string;
  readonly accel: Accel;
  readonly sshPort: number;
  readonly kvmMode?: KvmMode | null;
  /** Extra kernel command line (--append). */
  readonly append?: string | null;
  readonly bios?: string | null;
  /** Start QEMU's gdb stub on :1234 and wait for the debugger. */
  readonly gdb?: boolean;
}

export function kernelCommandLine(input: Pick<QemuArgsInput, 'profile' | 'kvmMode' | 'append'>): string {
  const parts = [...input.profile.append];
  if (input.kvmMode) parts.push(`kvm-arm.mode=${input.kvmMode}`);
  if (input.append) parts.push(input.append);
  return parts.join(' ');
}

export function qemuArgs(input: QemuArgsInput): string[] {
  const p = input.profile;
  const machine = [...p.machine];
  const args: string[] = [
    '-M', machine.join(','),
    // TCG: multi-threaded TCG is QEMU's default for an arm64 guest on an x86-64 host; KVM needs -cpu host
    // and, for virtualization=on, a host KVM with nested virtualization.
    '-accel', input.accel,
    '-cpu', input.accel === 'kvm' ? 'host' : p.cpu,
    '-smp', String(p.smp),
    '-m', `${p.memoryMiB}M`,
    '-nodefaults',
    '-sandbox', QEMU_SECCOMP,
    '-display', 'none',
    '-monitor', 'none',
    // The console on QEMU's stdout: the harness reads it live and tees it to console.log.
    '-serial', 'stdio',
    '-kernel', input.kernel,
    '-initrd', input.initrd,
    '-append', kernelCommandLine(input),
    // With panic=-1 on the command line a panic reboots at once, and -no-reboot turns that into QEMU exiting:
    // a crashed L1 never hangs the run.
    '-no-reboot',
    '-netdev', `user,id=net0,hostfwd=tcp:127.0.0.1:${input.sshPort}-:22`,
    // romfile=: without ipxe-qemu installed QEMU aborts looking for efi-virtio.rom; the L1 never netboots.
    '-device', 'virtio-net-pci,netdev=net0,romfile=',
  ];
  if (p.firmware === 'uefi') {
    // ras=on's HEST (and every ACPI table) only reaches the kernel through UEFI; and without firmware
    // QEMU 10.0.2 aborts on an assertion with ras=on.
    args.push('-bios', input.bios ?? DEFAULT_BIOS);
  }
  if (input.gdb) args.push('-s', '-S');
  return args;
}

/**
 * What QEMU sees in its bubblewrap sandbox: the system read-only, its own binary, the kernel, the initramfs and
 * the firmware read-only, nothing writable (the console is its standard output), the host's network (the user-mode
 * network listens for the SSH forward on 127.0.0.1), /dev/kvm under KVM.
 */
export function qemuSandbox(input: { readonly qemu: string; readonly kernel: string; readonly initrd: string; readonly bios?: string | null; readonly accel: Accel }): SandboxPolicy {
  const outsideUsr = (p: string) => isAbsolute(p) && !p.startsWith('/usr/');
  const readable = [input.qemu, input.kernel, input.initrd, ...(input.bios ? [input.bios] : [])].filter(outsideUsr);
  return { purpose: 'QEMU', writable: [], readable: [...new Set(readable)], network: 'host', ...(input.accel === 'kvm' ? { devices: ['/dev/kvm'] } : {}) };
}
