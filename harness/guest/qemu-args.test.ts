// QEMU argument assembly from the real guest profiles.
import t from 'tap';
import { loadProfile, loadProfiles, parseProfile } from './profiles.js';
import { kernelCommandLine, qemuArgs } from './qemu-args.js';

const base = { kernel: '/a/Image', initrd: '/a/initrd', sshPort: 2222 } as const;

t.test('virt-ras-nested: EL2, RAS, EINJ, GICv3, UEFI, no reboot, forwarded SSH on loopback', async (t) => {
  const p = loadProfile('virt-ras-nested');
  const args = qemuArgs({ ...base, profile: p, accel: 'tcg' });
  const at = (flag: string) => args[args.indexOf(flag) + 1];
  t.equal(at('-M'), 'virt,virtualization=on,ras=on,einj=on,gic-version=3');
  t.equal(p.qemu, 'sea-harness', "booted by the project's QEMU");
  t.same(p.provides, ['einj']);
  t.equal(at('-bios'), '/usr/share/qemu-efi-aarch64/QEMU_EFI.fd');
  t.ok(args.includes('-no-reboot'));
  t.match(at('-append'), /acpi=force/);
  t.match(at('-append'), /panic=-1/);
  t.match(at('-append'), /hugepagesz=1G hugepages=1/);
  t.equal(at('-netdev'), 'user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22');
  t.equal(at('-device'), 'virtio-net-pci,netdev=net0,romfile=');
  t.equal(at('-accel'), 'tcg');
});

t.test('virt-dt: no firmware, so no ras=on and no -bios', async (t) => {
  const args = qemuArgs({ ...base, profile: loadProfile('virt-dt'), accel: 'tcg' });
  t.notOk(args.includes('-bios'));
  t.notMatch(args[args.indexOf('-M') + 1]!, /ras=on/);
});

t.test('kvm-mode, append, bios, kvm accel, gdb', async (t) => {
  const p = loadProfile('virt-ras-nested');
  t.match(kernelCommandLine({ profile: p, kvmMode: 'nvhe', append: 'foo=1' }), /kvm-arm\.mode=nvhe foo=1$/);
  const args = qemuArgs({ ...base, profile: p, accel: 'kvm', bios: '/x/fw.fd', gdb: true });
  t.equal(args[args.indexOf('-cpu') + 1], 'host');
  t.equal(args[args.indexOf('-bios') + 1], '/x/fw.fd');
  t.ok(args.includes('-S') && args.includes('-s'));
});

t.test('every profile in guests/ loads', async (t) => {
  t.ok(loadProfiles().length >= 4);
  t.throws(() => loadProfile('nope'), { message: /--guest nope/, hint: /valid profiles: virt-dt, virt-ras-nested-ff, virt-ras-nested-stock, virt-ras-nested$/ });
});

t.test('the firmware-first and stock profiles: what they provide matches what QEMU is asked for', async (t) => {
  for (const p of loadProfiles()) {
    const m = p.machine.join(',');
    t.equal(p.provides.includes('einj'), /\beinj=on\b/.test(m), `${p.name}: einj in provides iff einj=on`);
    t.equal(p.provides.includes('firmwareFirst'), /einj-firmware-first=on/.test(m), `${p.name}: firmwareFirst iff einj-firmware-first=on`);
    if (p.provides.includes('einj')) t.equal(p.qemu, 'sea-harness', `${p.name}: only the project's QEMU has einj=on`);
  }
  t.same(loadProfile('virt-ras-nested-stock').provides, []);
  t.equal(loadProfile('virt-ras-nested-stock').qemu, 'system');
});

t.test('profile data is validated: capabilities and QEMU kind', async (t) => {
  const raw = JSON.parse(JSON.stringify({ ...loadProfile('virt-ras-nested'), file: undefined }));
  delete raw.file;
  t.throws(() => parseProfile('guests/x.json', { ...raw, provides: ['einj', 'teleport'] }), { message: /guests\/x\.json: provides: "teleport" is not one of einj, firmwareFirst/ });
  t.throws(() => parseProfile('guests/x.json', { ...raw, provides: ['firmwareFirst'] }), { message: /firmwareFirst is a mode of einj/ });
  t.throws(() => parseProfile('guests/x.json', { ...raw, qemu: 'mine' }), { message: /qemu: "mine" is not one of sea-harness, system/ });
});
