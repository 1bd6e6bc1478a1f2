// The project's QEMU on its own, no kernel: a bare-metal aarch64 program (qemu/baremetal/, booted with -bios, TAP on
// the UART) checks where an SEA on poisoned memory is taken (EL2 with HCR_EL2.TEA=1, EL1 with TEA=0), that a write
// and a reset clear the poison; QEMU refuses einj=on where it cannot work; the trace events fire.
import t from 'tap';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parseKtap } from '../ktap/parse.js';
import { prepareQemu, qemuTarballPath } from '../qemu/build.js';
import { loadQemuSpec } from '../qemu/spec.js';
import { createContext } from '../util/context.js';
import { ROOT } from '../test-support/paths.js';
import { timed } from '../test-support/cli.js';
import { E2E_TIMEOUT_MS } from '../test-support/timeouts.js';

t.setTimeout(E2E_TIMEOUT_MS['00-qemu-baremetal']);

const SRC = join(ROOT, 'qemu', 'baremetal');
const dir = mkdtempSync(join(tmpdir(), 'sea-baremetal-'));
const elf = join(dir, 'sea-route.elf');
const bin = join(dir, 'sea-route.bin');

// -fno-pie/-no-pie: Debian's gcc builds PIE by default, which would need a loader; -mstrict-align: the MMU stays
// off, so every access is to Device memory, where an unaligned one faults.
await execa('aarch64-linux-gnu-gcc', ['-nostdlib', '-ffreestanding', '-mgeneral-regs-only', '-mstrict-align', '-fno-pie', '-no-pie', '-static', '-Wl,--build-id=none', '-O2', '-Wall', '-Wextra', '-Werror', '-T', join(SRC, 'link.ld'), join(SRC, 'start.S'), join(SRC, 'sea-route.c'), '-o', elf]);
await execa('aarch64-linux-gnu-objcopy', ['-O', 'binary', elf, bin]);
const ctx = createContext();
const qemu = (await prepareQemu(ctx)).binary;

/** The program as firmware: it powers the machine off itself (PSCI SYSTEM_OFF); 60 s bounds a hang. */
async function boot(machine: string, extra: string[] = []) {
  const started = Date.now();
  const r = await execa(qemu, ['-accel', 'tcg', '-M', machine, '-cpu', 'max', '-m', '512M', '-display', 'none', '-nodefaults', '-serial', 'stdio', '-bios', bin, ...extra], { reject: false, timeout: 60_000 });
  return { ...r, stdout: String(r.stdout), stderr: String(r.stderr), ms: Date.now() - started };
}

t.test('einj=on: the SEA is taken at EL2 with TEA=1 and at EL1 with TEA=0; a write and a reset clear the poison', async (t) => {
  const r = await boot('virt,virtualization=on,gic-version=3,einj=on', ['-trace', 'acpi_einj_*']);
  timed(t, 'bare-metal SEA routing program', r.ms);
  t.equal(r.exitCode, 0, 'QEMU exited by PSCI SYSTEM_OFF', { stderr: r.stderr });
  const doc = parseKtap(r.stdout);
  t.equal(doc.plan?.count, 6);
  t.same(doc.tests.map((x) => [x.number, x.result]), [1, 2, 3, 4, 5, 6].map((n) => [n, 'pass']), r.stdout);
  t.match(r.stdout, /taken to EL2 vector \+0x400 ESR_EL2 0x92000210 \(EC 0x24 DFSC 0x10 EA\) FAR_EL2 0x40200010/, 'TEA=1: lower-EL data abort at EL2, FAR_EL2 the address read');
  t.match(r.stdout, /taken to EL1 vector \+0x200 ESR_EL1 0x96000210 \(EC 0x25 DFSC 0x10 EA\) FAR_EL1 0x40200010/, 'TEA=0: same-EL data abort at EL1');
  t.match(r.stdout, /# done/);
  // The trace events of patch 2/3, in the order the program causes them.
  t.match(r.stderr, /acpi_einj_inject type 0x10 flags 0x2 address 0x40200000 mask 0xffffffffffffffff/);
  t.match(r.stderr, /acpi_einj_poison page 0x40200000/);
  t.match(r.stderr, /acpi_einj_consume address 0x40200010 size 8/);
  t.match(r.stderr, /acpi_einj_clear page 0x40200000 by write/);
  t.match(r.stderr, /acpi_einj_clear page 0x40200000 by reset/);
});

t.test('without einj=on the same program reports the failures (the checks can fail)', async (t) => {
  const r = await boot('virt,virtualization=on,gic-version=3');
  t.equal(r.exitCode, 0, 'still powers off');
  const doc = parseKtap(r.stdout);
  t.equal(doc.tests.find((x) => x.number === 1)?.result, 'fail', 'no EINJ registers');
  t.equal(doc.tests.find((x) => x.number === 2)?.result, 'fail', 'nothing poisoned, so no abort to route');
  t.match(r.stdout, /# done/);
});

t.test('QEMU refuses EINJ where it cannot work, naming the fix', async (t) => {
  const refuse = async (machine: string, message: RegExp, withBios = true) => {
    const r = await execa(qemu, ['-M', machine, '-display', 'none', '-nodefaults', ...(withBios ? ['-bios', bin] : [])], { reject: false, timeout: 30_000 });
    t.equal(r.exitCode, 1, `${machine}: exit 1`);
    t.match(String(r.stderr), message, machine);
  };
  await refuse('virt,einj=on', /einj=on needs firmware \(-bios or pflash\) and ACPI/, false);
  await refuse('virt,einj=on,acpi=off', /einj=on needs firmware \(-bios or pflash\) and ACPI/);
  await refuse('virt,einj=on,einj-firmware-first=on', /einj-firmware-first=on needs ras=on/);
  await refuse('virt,ras=on,einj-firmware-first=on', /einj-firmware-first=on needs einj=on/);
});

t.test("the patches in qemu/patches are clean for QEMU's own scripts/checkpatch.pl", async (t) => {
  // Run from a QEMU tree (checkpatch insists, and checks MAINTAINERS against it): the harness's work tree, or the
  // pinned tarball unpacked when the cache holds only the store entry.
  const spec = loadQemuSpec();
  let tree = join(ctx.cacheDir, 'qemu', 'src');
  if (!existsSync(join(tree, 'scripts', 'checkpatch.pl'))) {
    tree = join(dir, 'qemu-src');
    mkdirSync(tree);
    await execa('tar', ['-xJf', qemuTarballPath(ctx.cacheDir, spec), '-C', tree, '--strip-components=1']);
  }
  for (const p of spec.patches) {
    const r = await execa('perl', ['scripts/checkpatch.pl', '-'], { cwd: tree, input: p.text, reject: false });
    t.equal(r.exitCode, 0, `${p.file}: checkpatch exit 0`, { output: String(r.stdout).slice(-1500) });
    t.match(String(r.stdout), /total: 0 errors, 0 warnings/, `${p.file}: 0 errors, 0 warnings`);
  }
});
