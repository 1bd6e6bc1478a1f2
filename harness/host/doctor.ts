// Checking the host and setting it up: versions, missing pieces with the package to install, disk, accelerator.
import { access, constants, mkdir, statfs } from 'node:fs/promises';
import { arch } from 'node:os';
import { join } from 'node:path';
import type { Context } from '../util/context.js';
import { run } from '../util/exec.js';
import { aptConfig, aptInstall, aptUpdate } from './apt.js';
import { REQUIREMENTS, TEST_REQUIREMENTS, type Requirement } from './requirements.js';

export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly version: string | null;
  readonly package: string;
  readonly why: string;
}

export interface DoctorReport {
  readonly checks: readonly CheckResult[];
  readonly freeDiskGiB: number;
  readonly cacheDir: string;
  readonly accel: { readonly kvmUsable: boolean; readonly reason: string };
}

async function checkOne(ctx: Context, r: Requirement): Promise<CheckResult> {
  const base = { name: r.name, package: r.package, why: r.why };
  if ('file' in r.probe) {
    const ok = await access(r.probe.file, constants.R_OK).then(() => true, () => false);
    return { ...base, ok, version: ok ? r.probe.file : null };
  }
  const res = await run(ctx, r.probe.command, [...(r.probe.versionArgs ?? ['-h'])], { stage: 'setup', reject: false, timeoutMs: 20_000 }).catch(() => null);
  // `dropbearkey -h` exits 1 but proves it is there; a missing command has no exit code (ENOENT).
  const found = res !== null && res.exitCode !== -1 && !/ENOENT/.test(res.stderr);
  const text = `${res?.stdout ?? ''}\n${res?.stderr ?? ''}`.split('\n').find((l) => l.trim() !== '') ?? '';
  const ok = found && (!r.minVersion || versionAtLeast(text, r.minVersion));
  return { ...base, ok, version: found ? text.trim().slice(0, 100) + (ok ? '' : ` (older than ${r.minVersion})`) : null };
}

/** Whether the first `x.y[.z]` in a version line is at least `min`. */
export function versionAtLeast(versionLine: string, min: string): boolean {
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(versionLine);
  if (!m) return false;
  const have = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  const want = min.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = have[i]! - (want[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

/** KVM acceleration for an arm64 L1 needs an arm64 host with a usable /dev/kvm (with nested virt for virtualization=on). */
export async function probeAccel(): Promise<{ kvmUsable: boolean; reason: string }> {
  if (arch() !== 'arm64') return { kvmUsable: false, reason: `host is ${arch()}: arm64 guests run under TCG emulation` };
  const ok = await access('/dev/kvm', constants.R_OK | constants.W_OK).then(() => true, () => false);
  return ok ? { kvmUsable: true, reason: 'arm64 host with /dev/kvm' } : { kvmUsable: false, reason: '/dev/kvm missing or not accessible: TCG' };
}

/** The requirements to check: the harness's, and with `tests` also the test suite's. */
export function requirementsFor(tests: boolean): readonly Requirement[] {
  return tests ? [...REQUIREMENTS, ...TEST_REQUIREMENTS] : REQUIREMENTS;
}

export async function doctor(ctx: Context, tests = false): Promise<DoctorReport> {
  const checks = await Promise.all(requirementsFor(tests).map((r) => checkOne(ctx, r)));
  await mkdir(ctx.cacheDir, { recursive: true });
  const fs = await statfs(ctx.cacheDir);
  return { checks, freeDiskGiB: (fs.bavail * fs.bsize) / 2 ** 30, cacheDir: ctx.cacheDir, accel: await probeAccel() };
}

/** Install what is missing through the private host apt configuration; idempotent, says what it does. */
export async function installMissing(ctx: Context, tests = false): Promise<CheckResult[]> {
  const report = await doctor(ctx, tests);
  const missing = requirementsFor(tests).filter((r) => !report.checks.find((c) => c.name === r.name)!.ok);
  if (missing.length === 0) {
    ctx.log.info('setup: every host requirement is already installed');
    return [];
  }
  const logPath = join(ctx.cacheDir, 'logs', 'apt.log');
  const cfg = await aptConfig(ctx, 'host');
  await aptUpdate(ctx, cfg, logPath);
  const plain = [...new Set(missing.filter((r) => !r.target).map((r) => r.package))];
  await aptInstall(ctx, cfg, plain, logPath);
  const byTarget = new Map<string, string[]>();
  for (const r of missing.filter((x) => x.target)) byTarget.set(r.target!, [...(byTarget.get(r.target!) ?? []), r.package]);
  for (const [target, pkgs] of byTarget) await aptInstall(ctx, cfg, [...new Set(pkgs)], logPath, target);
  const after = await doctor(ctx);
  return after.checks.filter((c) => missing.some((m) => m.name === c.name));
}
