// The SEA path for real: sea_to_user on the project's QEMU (EINJ, poisoned memory, SEAs routed to EL2) passes on
// Debian's 7.3, twice in one L1; stock QEMU gives the expected EINJ skip; the firmware-first profile the APEI skip;
// kernels broken in kvm_handle_guest_sea() fail on the test's own assertion, or time out when the exit never comes.
import t from 'tap';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { qemuPids, runCli, timed } from '../test-support/cli.js';
import { BREAK_SEA_FSC_PATCH, BREAK_SEA_GPA_PATCH, BREAK_SEA_OPTIN_PATCH } from '../test-support/paths.js';
import type { RunResult } from '../model/result.js';
import { E2E_TIMEOUT_MS } from '../test-support/timeouts.js';

t.setTimeout(E2E_TIMEOUT_MS['06-sea']);

const out = (tag: string) => mkdtempSync(join(tmpdir(), `sea-e2e-${tag}-`));
const seaOf = (stdout: string) => (JSON.parse(stdout) as RunResult).cases.filter((c) => c.name === 'sea_to_user');

t.test('default profile, no series: sea_to_user passes twice in one L1 (a write clears the poison)', async (t) => {
  const dir = out('sea-pass');
  const r = await runCli(['run', '--case', 'sea_to_user', '--repeat', '2', '--out', dir, '--format', 'json']);
  timed(t, 'sea_to_user x2 on the default profile', r.durationMs);
  t.equal(r.exitCode, 0, 'exit 0', { stderr: r.stderr.slice(-3000) });
  const result = JSON.parse(r.stdout) as RunResult;
  const [first, second] = seaOf(r.stdout);
  for (const c of [first!, second!]) {
    t.equal(c.verdict, 'pass', `iteration ${c.iteration ?? 1}: pass`);
    t.equal(c.met, true);
    t.equal(c.exitCode, 0);
    t.match(c.reason, /exit 0 after "Guest done gracefully!"/);
    t.match(c.kvmExit, { exitReason: 'KVM_EXIT_ARM_SEA', gvaValid: true, gva: '0x81234bad', gpaValid: true });
    t.match(c.kvmExit?.description, /EC=0x24 DABT_LOW.*FSC=0x10 synchronous external abort/);
    t.match(c.guestLines?.join(' '), /ESR_EL1=0x96000010, FAR_EL1=0x81234bad/, "the guest's handler saw the injected SEA at the address");
  }
  t.equal((readFileSync(join(dir, 'console.log'), 'utf8').match(/sea-harness: sshd ready/g) ?? []).length, 1, 'one L1 for both');
  t.match(result.guest?.environment, { einj: true });
  t.match(result.provenance.qemuBuild, { origin: 'sea-harness', build: { version: '10.0.2' } });
  t.equal(result.provenance.qemuBuild?.build?.patches.length, 3);
  t.match(readFileSync(join(dir, 'summary.md'), 'utf8'), /KVM exit: KVM_EXIT_ARM_SEA: esr=0x92000210/);
  t.match(readFileSync(join(dir, 'qemu-cmdline.txt'), 'utf8'), /qemu-store\/\w+\/qemu-system-aarch64 .*einj=on/);
  t.same(qemuPids(dir), []);

  // The reproducer boots the very QEMU the run used, copied beside it, and the real SEA happens again.
  t.match(readFileSync(join(dir, 'repro.sh'), 'utf8'), /QEMU=\$\{QEMU:-"\$DIR\/qemu-system-aarch64"\}/);
  const tr = Date.now();
  const repro = await execa(join(dir, 'repro.sh'), ['sea_to_user'], { reject: false, timeout: 300_000 });
  timed(t, 'repro.sh sea_to_user', Date.now() - tr);
  t.equal(repro.exitCode, 0, 'repro.sh exit 0', { stderr: String(repro.stderr).slice(-2000) });
  t.match(String(repro.stdout), /kvm_run\.arm_sea: esr=0x92000210/);
  t.match(String(repro.stdout), /Guest done gracefully!/);
  t.same(qemuPids(dir), [], 'repro.sh left no QEMU');
});

t.test("stock QEMU (Debian's): sea_to_user skips at its EINJ check, as expected there", async (t) => {
  const dir = out('sea-stock');
  const r = await runCli(['run', '--guest', 'virt-ras-nested-stock', '--case', 'sea_to_user', '--out', dir, '--format', 'json']);
  timed(t, 'sea_to_user on stock QEMU', r.durationMs);
  t.equal(r.exitCode, 0, { stderr: r.stderr.slice(-3000) });
  const [c] = seaOf(r.stdout);
  t.equal(c?.verdict, 'skip');
  t.equal(c?.met, true);
  t.match(c?.reason, /QEMU provides no ACPI EINJ table/);
  t.match((JSON.parse(r.stdout) as RunResult).provenance.qemuBuild, { origin: 'system', build: null });
  t.same(qemuPids(dir), []);
});

t.test('firmware first: the L1 APEI claims the SEA, the test gets SIGBUS BUS_MCEERR_AR and reports its known skip', async (t) => {
  const dir = out('sea-ff');
  const r = await runCli(['run', '--guest', 'virt-ras-nested-ff', '--case', 'sea_to_user', '--out', dir, '--format', 'json']);
  timed(t, 'sea_to_user on the firmware-first profile', r.durationMs);
  t.equal(r.exitCode, 0, { stderr: r.stderr.slice(-3000) });
  const [c] = seaOf(r.stdout);
  t.equal(c?.verdict, 'skip');
  t.equal(c?.met, true);
  t.match(c?.reason, /the host's APEI claimed the SEA.*SEA is claimed by host APEI/);
  t.notOk(c?.kvmExit, 'KVM never exited to userspace');
  t.match(readFileSync(join(dir, 'console.log'), 'utf8'), /Hardware error from APEI Generic Hardware Error Source|\{1\}\[Hardware Error\]/, "the L1's GHES logged the record");
  t.same(qemuPids(dir), []);
});

for (const [patch, what, assertion] of [
  [BREAK_SEA_FSC_PATCH, 'the FSC bits dropped from the exit ESR', /^arm64\/sea_to_user\.c:\d+: esr & ESR_ELx_FSC_TYPE == ESR_ELx_FSC_EXTABT/],
  [BREAK_SEA_GPA_PATCH, 'a wrong GPA in the exit', /^arm64\/sea_to_user\.c:\d+: run->arm_sea\.gpa == einj_gpa & PAGE_ADDR_MASK/],
] as const) {
  t.test(`a kernel with ${what}: sea_to_user fails on its own assertion, exit 1`, async (t) => {
    const dir = out('sea-break');
    const r = await runCli(['run', '--series', patch, '--case', 'sea_to_user', '--out', dir, '--format', 'json']);
    timed(t, `sea_to_user with ${what}`, r.durationMs);
    t.equal(r.exitCode, 1, { stderr: r.stderr.slice(-3000) });
    const [c] = seaOf(r.stdout);
    t.equal(c?.verdict, 'fail');
    t.equal(c?.met, false);
    t.match(c?.reason, assertion);
    t.match(c?.kvmExit, { exitReason: 'KVM_EXIT_ARM_SEA' }, 'the exit happened; its contents are wrong');
    t.same(qemuPids(dir), []);
  });
}

t.test('a kernel whose opt-in check is inverted: the exit never comes, the case times out with its last lines', async (t) => {
  const dir = out('sea-optin');
  const r = await runCli(['run', '--series', BREAK_SEA_OPTIN_PATCH, '--case', 'sea_to_user', '--timeout', '40', '--out', dir, '--format', 'json']);
  timed(t, 'sea_to_user with the opt-in check inverted (40 s deadline)', r.durationMs);
  t.equal(r.exitCode, 1, { stderr: r.stderr.slice(-3000) });
  const [c] = seaOf(r.stdout);
  t.equal(c?.verdict, 'timeout');
  t.match(c?.reason, /killed by SIGKILL.*Memory UER EINJected/);
  t.ok((c?.durationMs ?? 0) < 40_000 + 10_000, `ended soon after its deadline (${c?.durationMs} ms)`);
  t.same(qemuPids(dir), []);
});
