// The exact QEMU command line and kernel command line for the real guest profiles (guests/), option by option.
import t from 'tap';
import { loadProfile } from './profiles.js';
import { DEFAULT_BIOS, KVM_MODES, kernelCommandLine, qemuArgs, qemuSandbox } from './qemu-args.js';

const files = { kernel: '/cache/kernels/7.3.4-sea/Image', initrd: '/cache/images/bookworm.cpio.gz', sshPort: 40022 } as const;
const RAS = loadProfile('virt-ras-nested');
const DT = loadProfile('virt-dt');

t.test('virt-ras-nested under TCG: the whole command line', async (t) => {
  t.same(qemuArgs({ ...files, profile: RAS, accel: 'tcg' }), [
    '-M', 'virt,virtualization=on,ras=on,einj=on,gic-version=3',
    '-accel', 'tcg',
    '-cpu', 'max,pauth-impdef=on',
    '-smp', '2',
    '-m', '3072M',
    '-nodefaults',
    '-sandbox', 'on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny',
    '-display', 'none',
    '-monitor', 'none',
    '-serial', 'stdio',
    '-kernel', '/cache/kernels/7.3.4-sea/Image',
    '-initrd', '/cache/images/bookworm.cpio.gz',
    '-append', 'console=ttyAMA0 acpi=force panic=-1 hugepagesz=1G hugepages=1',
    '-no-reboot',
    '-netdev', 'user,id=net0,hostfwd=tcp:127.0.0.1:40022-:22',
    '-device', 'virtio-net-pci,netdev=net0,romfile=',
    '-bios', '/usr/share/qemu-efi-aarch64/QEMU_EFI.fd',
  ]);
  t.equal(DEFAULT_BIOS, '/usr/share/qemu-efi-aarch64/QEMU_EFI.fd');
});

t.test('virt-dt under KVM with every option: no firmware, host CPU, kvm-arm.mode, --append, gdb stub', async (t) => {
  const args = qemuArgs({ ...files, profile: DT, accel: 'kvm', kvmMode: 'nested', append: 'kvm-arm.nested_debug=1', bios: '/ignored/without/uefi.fd', gdb: true });
  t.same(args.slice(0, 6), ['-M', 'virt,virtualization=on,gic-version=3', '-accel', 'kvm', '-cpu', 'host']);
  t.equal(args[args.indexOf('-append') + 1], 'console=ttyAMA0 panic=-1 hugepagesz=1G hugepages=1 kvm-arm.mode=nested kvm-arm.nested_debug=1');
  t.same(args.slice(-3), ['virtio-net-pci,netdev=net0,romfile=', '-s', '-S'], 'no -bios without UEFI; the gdb stub last');
  t.notOk(args.includes('-bios'));
});

t.test('options left out or null add nothing', async (t) => {
  const plain = qemuArgs({ ...files, profile: RAS, accel: 'tcg' });
  t.same(qemuArgs({ ...files, profile: RAS, accel: 'tcg', kvmMode: null, append: null, bios: null, gdb: false }), plain);
  t.same(qemuArgs({ ...files, profile: RAS, accel: 'tcg', append: '' }), plain, 'an empty --append');
  t.equal(plain.at(-1), DEFAULT_BIOS);
  t.equal(qemuArgs({ ...files, profile: RAS, accel: 'tcg', bios: '/srv/fw/QEMU_EFI-ras.fd' }).at(-1), '/srv/fw/QEMU_EFI-ras.fd', '--bios');
  t.equal(qemuArgs({ ...files, profile: RAS, accel: 'kvm' })[5], 'host', '-cpu host under KVM whatever the profile says');
  t.equal(qemuArgs({ ...files, profile: RAS, accel: 'tcg' })[5], 'max,pauth-impdef=on');
});

t.test('the kernel command line', async (t) => {
  t.equal(kernelCommandLine({ profile: RAS }), 'console=ttyAMA0 acpi=force panic=-1 hugepagesz=1G hugepages=1');
  t.same(KVM_MODES.map((kvmMode) => kernelCommandLine({ profile: DT, kvmMode }).split(' ').at(-1)), ['kvm-arm.mode=vhe', 'kvm-arm.mode=nvhe', 'kvm-arm.mode=protected', 'kvm-arm.mode=nested']);
  t.equal(kernelCommandLine({ profile: DT, append: 'earlycon' }), 'console=ttyAMA0 panic=-1 hugepagesz=1G hugepages=1 earlycon');
  t.same(RAS.append, ['console=ttyAMA0', 'acpi=force', 'panic=-1', 'hugepagesz=1G', 'hugepages=1'], 'the profile is not changed');
});

t.test('QEMU\'s sandbox: its binary, kernel, initramfs and firmware read-only when outside /usr, nothing writable, host network, /dev/kvm only under KVM', async (t) => {
  t.same(qemuSandbox({ qemu: '/cache/qemu-store/k/qemu-system-aarch64', kernel: files.kernel, initrd: files.initrd, bios: DEFAULT_BIOS, accel: 'tcg' }), {
    purpose: 'QEMU',
    writable: [],
    readable: ['/cache/qemu-store/k/qemu-system-aarch64', files.kernel, files.initrd],
    network: 'host',
  });
  const kvm = qemuSandbox({ qemu: 'qemu-system-aarch64', kernel: files.kernel, initrd: files.kernel, bios: '/home/u/QEMU_EFI.fd', accel: 'kvm' });
  t.same(kvm.readable, [files.kernel, '/home/u/QEMU_EFI.fd'], 'a bare command name (found on PATH in /usr) is not bound; a path given twice is bound once');
  t.same(kvm.devices, ['/dev/kvm']);
});
