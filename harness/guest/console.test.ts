// Console line classification: milestones, crashes and warnings (lockups print "BUG:" but are warnings).
import t from 'tap';
import { ConsoleWatcher, classifyConsoleLine } from './console.js';

t.test('crashes', async (t) => {
  for (const line of [
    '[    1.234567] Kernel panic - not syncing: No working init found.  Try passing init= option to kernel.',
    '[   10.000000] Internal error: Oops: 0000000096000004 [#1]  SMP',
    '[    5.1] Unable to handle kernel NULL pointer dereference at virtual address 0000000000000000',
    '[    3.0] kernel BUG at arch/arm64/kvm/guest.c:791!',
    '[    3.0] BUG: KASAN: slab-out-of-bounds in foo+0x10/0x20',
  ]) {
    t.equal(classifyConsoleLine(line)?.type, 'crash', line);
  }
});

t.test('warnings are not crashes', async (t) => {
  const kinds = [
    ['[   30.1] watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [inject_iabt:123]', 'soft-lockup'],
    ['[   40.2] rcu: INFO: rcu_sched self-detected stall on CPU', 'rcu-stall'],
    ['[  120.0] INFO: task inject_iabt:140 blocked for more than 120 seconds.', 'hung-task'],
    ['[    2.0] WARNING: CPU: 0 PID: 1 at arch/arm64/kvm/arm.c:100 kvm_arch_init+0x1/0x2', 'warning'],
    ['[    2.0] UBSAN: shift-out-of-bounds in foo.c:10:5', 'ubsan'],
  ] as const;
  for (const [line, kind] of kinds) {
    const e = classifyConsoleLine(line);
    t.equal(e?.type, 'warning', line);
    t.equal(e?.type === 'warning' ? e.warning.kind : null, kind);
  }
});

t.test('milestones and the watcher', async (t) => {
  const w = new ConsoleWatcher();
  const events: string[] = [];
  w.onEvent((e) => events.push(e.type === 'milestone' ? e.milestone : e.type));
  w.push('UEFI firmware (version 2022.11) started\r\n[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x000f0510]\n');
  w.push('sea-harness: userspace sta');
  w.push('rted\nsea-harness: sshd ready\n[ 9.9] Kernel panic - not syncing: x\n');
  t.same(events, ['firmware', 'kernel', 'userspace', 'sshd-ready', 'crash']);
  t.equal(w.crashes.length, 1);
  t.equal(w.lineCount, 5);
  t.match(w.tail(1), /Kernel panic/);
  t.same(w.linesSince(3), ['sea-harness: sshd ready', '[ 9.9] Kernel panic - not syncing: x']);
});
