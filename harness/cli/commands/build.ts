// `sea-harness build`: the kernel stage (plus selftests and the base image) alone; prints the artifact paths.
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { prepareKernel } from '../../kernel/prepare.js';
import { COMMON_KERNEL, COMMON_OUTPUT, COVERAGE, parseCommand, str, type CommandSpec } from '../options.js';
import { formatChoice, formatOption } from '../format.js';
import { exitCodeForError } from '../../run/exit-codes.js';

const FORMATS = ['human', 'json'] as const;
import { casesFromOptions, kernelPlanFromOptions } from '../plan.js';
import type { CommandMain } from '../runtime.js';
import { loadCases } from '../../catalog/cases.js';
import { writePrebuilt } from '../../run/prebuilt.js';
import { prepareQemu } from '../../qemu/build.js';
import { writePrebuiltQemu } from '../../qemu/choose.js';

export const spec: CommandSpec = {
  name: 'build',
  summary: "Build the kernel under test (from the artifact store when its tree was built before), its selftests and the project's QEMU (qemu/: a store hit after its first build); print the artifact paths. With --out DIR, also copy the Image, System.map, .config and selftest binaries there with a kernel.json manifest, and the QEMU under qemu/, for `run --prebuilt DIR` (e.g. in a later CI job).",
  usage: 'sea-harness build [--kernel DIR [--ref REV]] [--series PATH ...] [--config FRAGMENT ...] [--format human|json]',
  options: [
    ...COMMON_KERNEL,
    { name: 'rebuild', type: 'boolean', help: 'ignore the artifact store: run the (incremental) make even for a tree built before' },
    { ...COVERAGE, help: 'build the coverage variant: the series\' C files with gcov (what `run --coverage` boots), kept in the store beside the plain kernel' },
    { name: 'case', type: 'string', multiple: true, arg: 'NAME', help: 'build these cases\' selftests (default: every case in cases/)' },
    { name: 'selftest', type: 'string', multiple: true, arg: 'DIR/NAME', help: 'also build this KVM selftest' },
    ...COMMON_OUTPUT,
    formatOption(FORMATS),
  ],
  examples: ['npx sea-harness build', 'npx sea-harness build --series ../shared/series/sea-v2-iabt-on-7.3.mbox --format json'],
};

export const main: CommandMain = async (rt, argv) => {
  const { values } = parseCommand(spec, argv);
  const plan = { ...(await kernelPlanFromOptions(rt.ctx, values)), ...(values.coverage ? { coverage: true } : {}) };
  const format = formatChoice(values, FORMATS).stdout;
  const chosen = casesFromOptions(values);
  const cases = chosen.named ? chosen.cases : [...loadCases(), ...chosen.cases.filter((c) => c.adHoc)];
  const out = str(values, 'out');
  const logDir = out ?? join(rt.ctx.cacheDir, 'logs', 'build');
  await mkdir(logDir, { recursive: true });
  const built = await prepareKernel(rt.ctx, plan, cases, logDir);
  if (built.kind !== 'done') {
    process.stderr.write(`sea-harness: ${built.error.describe()}\n`);
    return exitCodeForError(built.error);
  }
  const k = built.value;
  const qemu = await prepareQemu(rt.ctx);
  // --out also gets a copy of the kernel, selftests and QEMU, for `run --prebuilt` (in a later CI job, say).
  const manifest = out ? await writePrebuilt(k, out) : null;
  const qemuManifest = out ? await writePrebuiltQemu(qemu, out) : null;
  const doc = {
    schema: 'sea-harness/build@1',
    source: k.source,
    kernel: { key: k.kernel.key, image: k.kernel.image, config: k.kernel.config, systemMap: k.kernel.systemMap, vmlinux: k.kernel.vmlinux, fromStore: k.kernel.fromStore, compiled: k.kernel.compiled, buildMs: k.kernel.buildMs, release: k.kernel.release },
    selftests: k.selftests,
    toolchain: k.toolchain,
    workspace: k.workspace.root,
    prebuilt: manifest,
    qemu: { key: qemu.key, binary: qemu.binary, version: qemu.version, patches: qemu.patches, fromStore: qemu.fromStore, buildMs: qemu.buildMs, prebuilt: qemuManifest },
    work: k.work,
    timings: k.timings,
    ...(k.coverage ? { coverage: { variant: k.coverage.variant, instrumented: k.coverage.files.filter((f) => f.object).map((f) => f.object), notes: k.coverage.notesDir } } : {}),
  };
  if (format === 'json') {
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  } else {
    const lines = [
      `kernel:    ${k.source.description}${k.source.series.length ? ` + ${k.source.series.length} patch(es)` : ''} (tree ${k.source.tree.slice(0, 12)}, ${k.kernel.release ?? '?'})`,
      `Image:     ${k.kernel.image}${k.kernel.fromStore ? '  (artifact store: make not started)' : `  (built in ${Math.round(k.kernel.buildMs / 1000)} s, ${k.kernel.compiled} objects)`}`,
      `config:    ${k.kernel.config}`,
      `System.map ${k.kernel.systemMap}`,
      `vmlinux:   ${k.kernel.vmlinux}`,
      ...(k.coverage ? [`coverage:  ${k.coverage.makeVariables.join(' ') || 'nothing to instrument'} (gcov notes in ${k.coverage.notesDir})`] : []),
      `QEMU:      ${qemu.binary} (${qemu.version} + ${qemu.patches.length} patches, ${qemu.fromStore ? 'artifact store' : `built in ${Math.round(qemu.buildMs / 1000)} s`})`,
      ...k.selftests.map((s) => `${s.case.padEnd(10)} ${s.path ?? `absent (no tools/testing/selftests/${s.suite}/${s.target}.c in this tree)`}${s.warnings.length ? `  [${s.warnings.length} warning(s)]` : ''}`),
    ];
    process.stdout.write(lines.join('\n') + '\n');
  }
  return 0;
};
