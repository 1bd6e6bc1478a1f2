// `sea-harness run`: the whole pipeline; exit codes per DESIGN.md.
import { resolve } from 'node:path';
import { loadProfile, DEFAULT_GUEST } from '../../guest/profiles.js';
import { KVM_MODES, type Accel } from '../../guest/qemu-args.js';
import type { GuestProfile } from '../../guest/profiles.js';
import { probeAccel } from '../../host/doctor.js';
import { OUTPUT_FORMATS, renderRun, type OutputFormat } from '../../report/index.js';
import { runPipeline, type RunPlan } from '../../run/pipeline.js';
import { UsageError, formatCommand } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import { COMMON_CASES, COMMON_GUEST, COMMON_KERNEL, COMMON_OUTPUT, int, oneOf, parseCommand, str, type CommandSpec, type ParsedOptions } from '../options.js';
import { casesFromOptions, kernelPlanFromOptions } from '../plan.js';
import type { CommandMain } from '../runtime.js';

export const spec: CommandSpec = {
  name: 'run',
  summary:
    'Build the kernel under test (Debian\'s linux-source-7.3 by default, optionally with --series), boot it as the L1 in QEMU (virt, ras=on, virtualization=on, UEFI + ACPI), run the cases in it over SSH and report. Exit 0: every case met its expectation; 1: one did not; 2: usage; 3: infrastructure; 4: the kernel did not build; 5: the series did not apply; 130: interrupted.',
  usage: 'sea-harness run [--kernel DIR [--ref REV]] [--series PATH ...] [--case NAME ...] [--guest NAME] [--out DIR] [--format LIST]',
  options: [...COMMON_KERNEL, ...COMMON_CASES, ...COMMON_GUEST, ...COMMON_OUTPUT, { name: 'boot-timeout', type: 'string', arg: 'SECONDS', help: 'how long the L1 may take to reach SSH (default 180 under TCG)' },
    { name: 'prebuilt', type: 'string', arg: 'DIR', help: 'boot and test the kernel and selftests in DIR (made by `build --out DIR`, e.g. in an earlier CI job) instead of building' },
  ],
  examples: [
    'npx sea-harness run',
    'npx sea-harness run --series ../shared/series/sea-v2-iabt-on-7.3.mbox --out out/iabt',
    'npx sea-harness run --kernel ~/linux --ref v7.3 --case inject_iabt --format json > result.json',
    'npx sea-harness run --prebuilt kernel/ --kvm-mode nvhe --out results/nvhe   # kernel/ from `build --out kernel/`',
  ],
};

/** --format LIST: at most one machine format may own standard output; human goes to standard error then. */
export function outputFormats(values: ParsedOptions): { stdout: OutputFormat; humanToStderr: boolean } {
  const list = (str(values, 'format') ?? 'human').split(',').map((s) => s.trim()).filter(Boolean);
  for (const f of list) if (!OUTPUT_FORMATS.includes(f as OutputFormat)) throw new UsageError(`--format "${f}": expected one of ${OUTPUT_FORMATS.join(', ')}`);
  const machine = list.filter((f) => f !== 'human') as OutputFormat[];
  if (machine.length > 1) throw new UsageError(`--format ${list.join(',')}: only one machine format can own standard output`, 'every format is also written to the --out directory (result.json, junit.xml, results.tap, summary.md)');
  return machine.length ? { stdout: machine[0]!, humanToStderr: true } : { stdout: 'human', humanToStderr: false };
}

/**
 * The project's EINJ and poisoned memory live in QEMU's TCG memory path (QEMU refuses einj=on under KVM): a profile
 * that provides EINJ runs under TCG; `auto` chooses that, `--accel kvm` is refused with the alternatives.
 */
export async function resolveAccel(values: ParsedOptions, log: Logger, profile?: GuestProfile): Promise<Accel> {
  const want = oneOf(values, 'accel', ['tcg', 'kvm', 'auto'] as const) ?? 'auto';
  if (want === 'tcg') return 'tcg';
  if (profile?.provides.includes('einj')) {
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

/** The guest and per-case options every command that boots an L1 shares (run, ci, bisect, bisect-step). */
export async function guestRunOptions(values: ParsedOptions, log: Logger): Promise<Pick<RunPlan, 'profile' | 'accel' | 'kvmMode' | 'append' | 'qemu' | 'bios' | 'timeoutSeconds' | 'bootTimeoutMs' | 'jobs'>> {
  const bootTimeout = int(values, 'boot-timeout');
  const profile = loadProfile(str(values, 'guest') ?? DEFAULT_GUEST);
  return {
    profile,
    accel: await resolveAccel(values, log, profile),
    kvmMode: oneOf(values, 'kvm-mode', KVM_MODES) ?? null,
    append: str(values, 'append') ?? null,
    qemu: str(values, 'qemu') ?? null,
    bios: str(values, 'bios') ?? null,
    timeoutSeconds: int(values, 'timeout') ?? null,
    jobs: int(values, 'jobs') ?? null,
    ...(bootTimeout ? { bootTimeoutMs: bootTimeout * 1000 } : {}),
  };
}

export function defaultOutDir(): string {
  return resolve('sea-out', `run-${new Date().toISOString().replace(/[:.]/g, '-').replace(/Z$/, '')}-${process.pid}`);
}

export const main: CommandMain = async (rt, argv) => {
  const { values } = parseCommand(spec, argv);
  const formats = outputFormats(values);
  const plan = kernelPlanFromOptions(values);
  const { cases, named } = casesFromOptions(values);
  const outDir = resolve(str(values, 'out') ?? defaultOutDir());
  const { result, exitCode } = await runPipeline(rt.ctx, {
    ...(await guestRunOptions(values, rt.log)),
    kernel: plan,
    cases,
    named,
    repeat: int(values, 'repeat') ?? 1,
    outDir,
    ...(str(values, 'prebuilt') ? { prebuilt: str(values, 'prebuilt')! } : {}),
    onQemuCommand: (cmd) => {
      if (values['show-command']) process.stderr.write(`${formatCommand(cmd)}\n`);
    },
  });
  const human = renderRun(result, 'human', { color: Boolean((formats.humanToStderr ? process.stderr : process.stdout).isTTY) }) + `artifacts: ${outDir}\n`;
  if (formats.humanToStderr) {
    process.stderr.write(human);
    process.stdout.write(renderRun(result, formats.stdout, { color: false }));
  } else {
    process.stdout.write(human);
  }
  return exitCode;
};

