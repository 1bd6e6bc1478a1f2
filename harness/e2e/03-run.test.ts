// `sea-harness run` end to end: the series on Debian's 7.3 passes all three cases on the project's QEMU, with every
// artifact and a working reproducer; a kernel that breaks IABT injection fails; a case hanging in the kernel times out.
import t from 'tap';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { XMLValidator } from 'fast-xml-parser';
import { qemuPids, runCli, timed } from '../test-support/cli.js';
import { freePort } from '../guest/qemu.js';
import { BREAK_IABT_PATCH, HANG_PATCH, SERIES_MBOX } from '../test-support/paths.js';
import type { RunResult } from '../model/result.js';
import { E2E_TIMEOUT_MS } from '../test-support/timeouts.js';

t.setTimeout(E2E_TIMEOUT_MS['03-run']);

const out = (tag: string) => mkdtempSync(join(tmpdir(), `sea-e2e-${tag}-`));
const byName = (r: RunResult, n: string) => r.cases.find((c) => c.name === n)!;

t.test('run --series: inject_iabt pass (with its note), external_aborts pass, sea_to_user pass (a real SEA)', async (t) => {
  const dir = out('run');
  const r = await runCli(['run', '--series', SERIES_MBOX, '--out', dir, '--format', 'json']);
  timed(t, 'run with the series (store hit)', r.durationMs);
  t.equal(r.exitCode, 0, 'exit 0', { stderr: r.stderr.slice(-3000) });
  const result = JSON.parse(r.stdout) as RunResult;
  t.equal(result.schema, 'sea-harness/run@1');
  t.equal(result.verdict, 'pass');
  const iabt = byName(result, 'inject_iabt');
  t.equal(iabt.verdict, 'pass');
  t.match(iabt.notes?.join(' '), /falls through from UCALL_PRINTF into UCALL_DONE/);
  t.match(iabt.guestLines?.join(' '), /From guest: Guest SEA esr_el1=0x86000010/);
  t.match(iabt.buildWarnings?.join(' '), /may fall through/);
  t.equal(byName(result, 'external_aborts').verdict, 'pass');
  const sea = byName(result, 'sea_to_user');
  t.equal(sea.verdict, 'pass');
  t.equal(sea.met, true);
  t.match(sea.kvmExit, { exitReason: 'KVM_EXIT_ARM_SEA', gpaValid: true });
  // One L1 vCPU per case at once: sea_to_user (the longest) shares the L1 with the two others, one after another.
  t.same([...(sea.ranBeside ?? [])].sort(), ['external_aborts', 'inject_iabt'], 'the cases shared the L1 (--jobs defaults to the L1\'s 2 vCPUs)');
  t.notOk(sea.besideAttempt, 'clean verdicts beside others are kept');
  t.match(result.guest?.environment, { kvmMode: 'vhe', devKvm: true });
  t.same(result.kernel.series.map((p) => p.applied), [true, true, true]);
  // The series is applied at most once per run (0 when the workspace remembers its commits) and the config
  // worked out once: the old pipeline applied it twice on a store miss and computed the config up to three times.
  t.ok((result.kernel.work?.seriesApplications ?? 99) <= 1, `series applied ${result.kernel.work?.seriesApplications} time(s)`);
  t.equal(result.kernel.work?.configComputations, 1, 'the kernel config worked out once');
  for (const f of ['result.json', 'junit.xml', 'results.tap', 'summary.md', 'console.log', 'build.log', 'config', 'qemu-cmdline.txt', 'Image', 'System.map', 'initramfs.cpio.gz', 'vmlinux', 'id_ed25519', 'repro.sh', 'inject_iabt.ktap', 'inject_iabt.stderr', 'sea_to_user.ktap', 'external_aborts.ktap', 'inject_iabt']) {
    t.ok(existsSync(join(dir, f)), `${f} written`);
  }
  t.equal(XMLValidator.validate(readFileSync(join(dir, 'junit.xml'), 'utf8')), true, 'junit.xml is XML');
  t.match(readFileSync(join(dir, 'sea_to_user.ktap'), 'utf8'), /Guest done gracefully!/);
  t.match(readFileSync(join(dir, 'summary.md'), 'utf8'), /inject_iabt/);
  t.match(r.stderr, /artifacts: /);
  t.same(qemuPids(dir), []);

  const tr = Date.now();
  const repro = await execa(join(dir, 'repro.sh'), ['inject_iabt'], { reject: false, timeout: 300_000 });
  timed(t, 'repro.sh inject_iabt', Date.now() - tr);
  t.equal(repro.exitCode, 0, 'repro.sh exit 0', { stderr: String(repro.stderr).slice(-2000) });
  t.match(String(repro.stdout), /==== inject_iabt/);
  t.match(String(repro.stdout), /From guest: Guest SEA esr_el1=/);
  t.notMatch(String(repro.stdout), /==== sea_to_user/, 'only the named case');
  t.same(qemuPids(dir), [], 'repro.sh left no QEMU');

  // repro.sh --gdb: QEMU waits with its gdb stub; gdb-multiarch on the bundled vmlinux stops the L1 in kvm_arm_init
  // and backtraces it; after `detach` the L1 boots on, and the script (no terminal: its shell ends) stops QEMU.
  const gdbPort = await freePort();
  const tg = Date.now();
  const waiting = execa(join(dir, 'repro.sh'), ['--gdb'], { reject: false, timeout: 300_000, stdin: 'ignore', env: { GDBPORT: String(gdbPort) } });
  const gdb = await execa(
    'gdb-multiarch',
    ['-q', '-batch', '-nx', join(dir, 'vmlinux'), '-ex', 'set pagination off', '-ex', 'set tcp connect-timeout 60', '-ex', `target remote 127.0.0.1:${gdbPort}`, '-ex', 'break kvm_arm_init', '-ex', 'continue', '-ex', 'bt', '-ex', 'detach'],
    { reject: false, timeout: 240_000, stdin: 'ignore' },
  );
  const script = await waiting;
  timed(t, 'repro.sh --gdb with a backtrace', Date.now() - tg);
  t.match(String(script.stderr), new RegExp(`QEMU waits for gdb on 127\\.0\\.0\\.1:${gdbPort}`), 'the script names the stub');
  t.match(String(script.stderr), /gdb-multiarch '.*\/vmlinux' -ex 'target remote/, 'and the gdb command, on the bundled vmlinux');
  t.match(String(gdb.stdout), /Breakpoint 1, 0x[0-9a-f]+ in kvm_arm_init \(\)/, 'gdb stopped the L1 in kvm_arm_init', { gdb: `${gdb.stdout}\n${gdb.stderr}` });
  t.match(String(gdb.stdout), /#1 +0x[0-9a-f]+ in do_one_initcall \(\)/, 'the backtrace names the caller');
  t.match(String(gdb.stdout), /in kernel_init \(\)/);
  t.same(qemuPids(dir), [], 'repro.sh --gdb left no QEMU');
});

t.test('a kernel that accepts DABT+IABT together: inject_iabt fails on its host-side assertion, exit 1', async (t) => {
  const dir = out('break');
  const r = await runCli(['run', '--series', SERIES_MBOX, '--series', BREAK_IABT_PATCH, '--case', 'inject_iabt', '--case', 'external_aborts', '--out', dir, '--format', 'json']);
  timed(t, 'run with the breaking patch', r.durationMs);
  t.equal(r.exitCode, 1, { stderr: r.stderr.slice(-3000) });
  const result = JSON.parse(r.stdout) as RunResult;
  const c = byName(result, 'inject_iabt');
  t.equal(c.verdict, 'fail');
  t.equal(c.exitCode, 254);
  t.match(c.reason, /^arm64\/inject_iabt\.c:71: r && errno == EINVAL/);
  t.match(c.reason, /vcpu_inject_invalid_abt/, 'backtrace symbolised on the host');
  // It failed beside external_aborts, so the verdict that counts is from a re-run alone.
  t.match(c.besideAttempt, { verdict: 'fail', ranBeside: ['external_aborts'] }, 'the failure beside another case was re-checked alone');
  t.notOk(c.ranBeside, 'the verdict that counts ran alone');
  t.match(r.stderr, /inject_iabt: fail, expected pass while it ran beside external_aborts: it will be re-run alone/);
  t.match(readFileSync(join(dir, 'inject_iabt.beside.stderr'), 'utf8'), /r && errno == EINVAL/, 'the attempt beside others is kept');
  t.equal(byName(result, 'external_aborts').verdict, 'pass');
});

t.test('a case that hangs in the kernel: timeout, the L1 restarted, the next case runs normally', async (t) => {
  const dir = out('hang');
  const r = await runCli(['run', '--series', SERIES_MBOX, '--series', HANG_PATCH, '--case', 'inject_iabt', '--case', 'external_aborts', '--timeout', '30', '--jobs', '1', '--out', dir, '--format', 'json']);
  timed(t, 'run with the hanging patch, one case at a time', r.durationMs);
  t.equal(r.exitCode, 1, { stderr: r.stderr.slice(-3000) });
  const result = JSON.parse(r.stdout) as RunResult;
  const hang = byName(result, 'inject_iabt');
  t.equal(hang.verdict, 'timeout');
  t.ok(hang.durationMs < 30_000 + 10_000, `ended soon after its in-L1 deadline, not at the outer one (${hang.durationMs} ms)`);
  t.match(r.stderr, /it will be restarted before the next case/);
  t.equal(byName(result, 'external_aborts').verdict, 'pass', 'the next case ran in a fresh L1');
  t.equal((readFileSync(join(dir, 'console.log'), 'utf8').match(/sea-harness: sshd ready/g) ?? []).length, 2, 'two boots');
  t.same(qemuPids(dir), []);
});

t.test('a case that hangs beside another that ends cleanly: that one passes, the hang is kept without a second deadline', async (t) => {
  const dir = out('hang-beside');
  const r = await runCli(['run', '--series', SERIES_MBOX, '--series', HANG_PATCH, '--case', 'inject_iabt', '--case', 'external_aborts', '--timeout', '30', '--out', dir, '--format', 'json']);
  timed(t, 'run with the hanging patch, two cases at once', r.durationMs);
  t.equal(r.exitCode, 1, { stderr: r.stderr.slice(-3000) });
  const result = JSON.parse(r.stdout) as RunResult;
  const hang = byName(result, 'inject_iabt');
  t.equal(hang.verdict, 'timeout');
  t.match(hang.reason, /no result within the case's timeout.*its last lines: "Injecting invalid external abort events"/, 'the reason says where it stopped');
  t.notOk(hang.besideAttempt, 'not re-run alone: its neighbour ended cleanly, so the hang is its own');
  t.same(hang.ranBeside, ['external_aborts']);
  t.ok(hang.durationMs < 30_000 + 10_000, `ended soon after its in-L1 deadline, not at the outer one (${hang.durationMs} ms)`);
  t.ok(r.durationMs < 2 * 30_000, `one deadline paid, not two (${r.durationMs} ms)`);
  const ext = byName(result, 'external_aborts');
  t.equal(ext.verdict, 'pass', 'the case beside the stuck one passed');
  t.same(ext.ranBeside, ['inject_iabt']);
  t.equal((readFileSync(join(dir, 'console.log'), 'utf8').match(/sea-harness: sshd ready/g) ?? []).length, 1, 'one boot');
  t.same(qemuPids(dir), []);
});

t.test('the default run (no series): sea_to_user passes, inject_iabt absent with the hint, not a failure', async (t) => {
  const dir = out('default');
  const r = await runCli(['run', '--out', dir, '--format', 'json']);
  timed(t, 'default run', r.durationMs);
  t.equal(r.exitCode, 0, { stderr: r.stderr.slice(-3000) });
  const doc = JSON.parse(r.stdout) as RunResult;
  const c = byName(doc, 'inject_iabt');
  t.equal(c.verdict, 'absent');
  t.match(c.reason, /--series/);
  t.equal(byName(doc, 'sea_to_user').verdict, 'pass', "the patchset's headline path ran for real");
  const named = await runCli(['run', '--case', 'inject_iabt', '--out', out('named'), '--format', 'json']);
  t.equal(named.exitCode, 1, 'absent fails when the case was named');
});
