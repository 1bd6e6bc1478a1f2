// What the booted L1 offers the cases: kernel release, KVM mode, /dev/kvm, ACPI tables, hugepages, CPU features.
import type { SshSession } from './ssh.js';

export interface L1Environment {
  readonly release: string | null;
  /** `vhe`, `nvhe`, `protected`, `nested` (VHE+NV2) or null when KVM did not initialise. */
  readonly kvmMode: string | null;
  /** The kernel's own line about it, e.g. "kvm [1]: VHE mode initialized successfully". */
  readonly kvmLine: string | null;
  readonly devKvm: boolean;
  readonly acpiTables: readonly string[];
  readonly einj: boolean;
  readonly hugepages1G: { readonly total: number; readonly free: number };
  readonly cpuFeatures: readonly string[];
  readonly cmdline: string | null;
}

const SCRIPT = [
  'echo "@release"; uname -r',
  'echo "@dmesg"; dmesg | grep -iE "kvm \\[|kvm:|Hyp |hVHE|nVHE|VHE" | head -20',
  'echo "@devkvm"; test -c /dev/kvm && echo yes || echo no',
  'echo "@acpi"; ls /sys/firmware/acpi/tables 2>/dev/null',
  'echo "@huge"; cat /sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages /sys/kernel/mm/hugepages/hugepages-1048576kB/free_hugepages 2>/dev/null',
  'echo "@cpu"; grep -m1 "^Features" /proc/cpuinfo',
  'echo "@cmdline"; cat /proc/cmdline',
].join('; ');

/** Which KVM mode the kernel log reports (arch/arm64/kvm/arm.c prints it at init). */
export function kvmModeFromLog(lines: readonly string[]): { mode: string | null; line: string | null } {
  for (const line of lines) {
    if (/VHE\+NV2|nested/i.test(line) && /kvm/i.test(line)) return { mode: 'nested', line };
    if (/Protected (h?VHE|nVHE) mode/i.test(line)) return { mode: 'protected', line };
    if (/Hyp nVHE mode|nVHE mode initialized/i.test(line)) return { mode: 'nvhe', line };
    if (/VHE mode initialized|Hyp hVHE mode/i.test(line)) return { mode: 'vhe', line };
  }
  return { mode: null, line: null };
}

export function parseEnvironment(text: string): L1Environment {
  const sections = new Map<string, string[]>();
  let cur = '';
  for (const line of text.split('\n')) {
    const m = /^@(\w+)$/.exec(line.trim());
    if (m) {
      cur = m[1]!;
      sections.set(cur, []);
    } else if (cur && line.trim() !== '') sections.get(cur)!.push(line.trim());
  }
  const get = (k: string) => sections.get(k) ?? [];
  const kvm = kvmModeFromLog(get('dmesg'));
  const acpi = get('acpi').flatMap((l) => l.split(/\s+/)).filter(Boolean);
  const [total, free] = get('huge').map(Number);
  return {
    release: get('release')[0] ?? null,
    kvmMode: kvm.mode,
    kvmLine: kvm.line,
    devKvm: get('devkvm')[0] === 'yes',
    acpiTables: acpi,
    einj: acpi.includes('EINJ'),
    hugepages1G: { total: total ?? 0, free: free ?? 0 },
    cpuFeatures: (get('cpu')[0] ?? '').replace(/^Features\s*:\s*/, '').split(/\s+/).filter(Boolean),
    cmdline: get('cmdline')[0] ?? null,
  };
}

export async function collectEnvironment(ssh: SshSession): Promise<L1Environment> {
  const r = await ssh.exec(SCRIPT, { timeoutMs: 60_000 });
  return parseEnvironment(r.stdout);
}
