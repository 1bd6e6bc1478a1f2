// Booting the real kernel in real QEMU: SSH, ACPI/HEST, KVM mode, and every way a boot goes wrong, with
// the QEMU process checked gone afterwards.
import t, { type Test } from 'tap';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { qemuPids, runCli, spawnCli, timed, waitFor } from '../test-support/cli.js';
import { SERIES_MBOX } from '../test-support/paths.js';
import { E2E_TIMEOUT_MS } from '../test-support/timeouts.js';

t.setTimeout(E2E_TIMEOUT_MS['02-boot']);

const out = (tag: string) => mkdtempSync(join(tmpdir(), `sea-e2e-${tag}-`));
const KERNEL = ['--series', SERIES_MBOX];

/** `shell --exec 'sleep 600'` started and waited for until the L1 is up and the command runs. */
async function shellRunningSleep(t: Test, dir: string) {
  const child = spawnCli(['shell', ...KERNEL, '--out', dir, '--exec', 'sleep 600']);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  t.ok(await waitFor(() => /L1 ready over SSH/.test(stderr), 180_000), 'the L1 came up');
  // Wrapped: the child is itself a promise, which an async function's return would wait for.
  return { child };
}

t.test("virt-ras-nested: the L1 reaches SSH with HEST and the project's EINJ, /dev/kvm and KVM in VHE mode", async (t) => {
  const dir = out('boot');
  const r = await runCli(['shell', ...KERNEL, '--out', dir, '--env', '--exec', 'uname -r; cat /proc/cmdline']);
  timed(t, 'boot virt-ras-nested + environment', r.durationMs);
  t.equal(r.exitCode, 0, 'exit 0', { stderr: r.stderr.slice(-3000) });
  const env = JSON.parse(r.stdout.slice(0, r.stdout.lastIndexOf('}') + 1)) as { acpiTables: string[]; devKvm: boolean; kvmMode: string; einj: boolean; hugepages1G: { total: number } };
  t.ok(env.acpiTables.includes('HEST'), `ACPI tables: ${env.acpiTables.join(' ')}`);
  t.ok(env.acpiTables.includes('EINJ'), "the project's QEMU provides an EINJ table");
  t.equal(env.einj, true, "the L1's EINJ driver took it (debugfs apei/einj)");
  t.equal(env.devKvm, true);
  t.equal(env.kvmMode, 'vhe');
  t.equal(env.hugepages1G.total, 1);
  t.match(r.stdout, /acpi=force/);
  t.match(r.stderr, /L1 ready over SSH after \d+\.\d s/);
  t.same(qemuPids(dir), [], 'no QEMU left');
});

t.test('--kvm-mode nvhe: the L1 reports nVHE', async (t) => {
  const dir = out('nvhe');
  const r = await runCli(['shell', ...KERNEL, '--out', dir, '--kvm-mode', 'nvhe', '--env', '--exec', 'true']);
  timed(t, 'boot with kvm-arm.mode=nvhe', r.durationMs);
  t.equal(r.exitCode, 0, 'exit 0', { stderr: r.stderr.slice(-3000) });
  t.match(r.stdout, /"kvmMode": "nvhe"/);
  t.match(r.stdout, /kvm-arm\.mode=nvhe|nVHE/);
  t.same(qemuPids(dir), []);
});

t.test('virt-dt: device-tree boot, KVM but no ACPI', async (t) => {
  const dir = out('dt');
  const r = await runCli(['shell', ...KERNEL, '--guest', 'virt-dt', '--out', dir, '--env', '--exec', 'true']);
  timed(t, 'boot virt-dt', r.durationMs);
  t.equal(r.exitCode, 0, 'exit 0', { stderr: r.stderr.slice(-3000) });
  t.match(r.stdout, /"acpiTables": \[\]/);
  t.match(r.stdout, /"devKvm": true/);
});

t.test('a boot that panics early is a crash with the panic line, within seconds, no QEMU left', async (t) => {
  const dir = out('panic');
  const r = await runCli(['run', ...KERNEL, '--out', dir, '--append', 'rdinit=/nonexistent init=/nonexistent', '--format', 'json']);
  timed(t, 'boot that panics', r.durationMs);
  t.equal(r.exitCode, 1);
  const result = JSON.parse(r.stdout) as { cases: Array<{ name: string; verdict: string; reason: string }> };
  t.ok(result.cases.length > 0 && result.cases.filter((c) => c.name !== 'inject_iabt' || c.verdict !== 'absent').every((c) => c.verdict === 'crash'), 'every case: crash');
  t.match(result.cases[0]!.reason, /Kernel panic - not syncing: /);
  t.match(readFileSync(join(dir, 'console.log'), 'utf8'), /Kernel panic - not syncing/);
  t.ok(r.durationMs < 90_000, `ended ${r.durationMs} ms after start (boot to panic is a few seconds under TCG)`);
  t.same(qemuPids(dir), []);
});

t.test('SIGINT to `shell --exec "sleep 600"`: exit 130 and QEMU gone', async (t) => {
  const dir = out('sigint');
  const { child } = await shellRunningSleep(t, dir);
  const pids = qemuPids(dir);
  t.equal(pids.length, 1, 'one QEMU while the command runs');
  const t0 = Date.now();
  child.kill('SIGINT');
  const r = await child;
  timed(t, 'SIGINT to exit', Date.now() - t0);
  t.equal(r.exitCode, 130);
  t.ok(Date.now() - t0 < 15_000, 'stopped promptly');
  t.same(qemuPids(dir), [], 'QEMU is gone');
  for (const pid of pids) t.throws(() => process.kill(pid, 0), 'the QEMU PID no longer exists');
});

t.test('QEMU killed from outside in the middle of a command: exit 3 with the console tail', async (t) => {
  const dir = out('killed');
  const { child } = await shellRunningSleep(t, dir);
  const [pid] = qemuPids(dir);
  process.kill(pid!, 'SIGKILL');
  const t0 = Date.now();
  const r = await child;
  timed(t, 'QEMU killed to exit', Date.now() - t0);
  t.equal(r.exitCode, 3);
  t.match(String(r.stderr), /QEMU exited \(signal SIGKILL\) while the L1 was in use, not at the harness's request/);
  t.match(String(r.stderr), /sea-harness: sshd ready/, 'console tail in the message');
  t.ok(Date.now() - t0 < 15_000);
  t.same(qemuPids(dir), []);
});

t.test('an L1 whose SSH server never starts (live kernel, shell on the console): exit 3 at the boot deadline', async (t) => {
  const dir = out('nossh');
  const r = await runCli(['shell', ...KERNEL, '--out', dir, '--append', 'rdinit=/bin/sh', '--boot-timeout', '25', '--exec', 'true']);
  timed(t, 'boot without SSH', r.durationMs);
  t.equal(r.exitCode, 3);
  t.match(r.stderr, /did not report its SSH server ready within 25 s \(console showed: firmware, kernel\)/);
  t.match(r.stderr, /Run \/bin\/sh as init process|Freeing unused kernel memory/, 'console tail shows the live kernel');
  t.ok(r.durationMs < 25_000 + 60_000, 'ended near its deadline');
  t.same(qemuPids(dir), []);
});

t.test('an L1 that says its SSH server is ready but cannot be reached: booted once more, then exit 3', async (t) => {
  const dir = out('nonet');
  // virtio-net never registers: dropbear listens, but no packet from the host's forwarded port reaches it.
  const r = await runCli(['shell', ...KERNEL, '--out', dir, '--append', 'initcall_blacklist=virtio_net_driver_init', '--boot-timeout', '20', '--exec', 'true']);
  timed(t, 'two boots without a network', r.durationMs);
  t.equal(r.exitCode, 3, { stderr: r.stderr.slice(-3000) });
  t.match(r.stderr, /the L1 said its SSH server was ready but ssh to 127\.0\.0\.1:\d+ failed: \d+ attempt\(s\) in [\d.]+ s: \d+x ".+"; booting the L1 once more/);
  t.match(r.stderr, /cannot reach the L1 over SSH \(booted twice\)/);
  t.match(r.stderr, /no eth0: the guest has no network/, 'the console tail shows why');
  t.notMatch(r.stderr, /internal error/, 'a handshake that fails twice is not a harness crash');
  t.equal((readFileSync(join(dir, 'console.log'), 'utf8').match(/sea-harness: sshd ready/g) ?? []).length, 2, 'two boots');
  t.same(qemuPids(dir), []);
});
