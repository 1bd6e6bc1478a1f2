// The project's QEMU as data: qemu/source.json and qemu/patches parse, and the store key changes with every input.
import t from 'tap';
import { loadQemuSpec, parseQemuSpec, patchSubject, qemuStoreKey, type QemuSpec } from './spec.js';
import { ninjaStep } from './build.js';

const spec = loadQemuSpec();

t.test('qemu/: the pinned tarball and the patches in order, with their subjects', async (t) => {
  t.equal(spec.version, '10.0.2');
  t.match(spec.url, /^http:\/\/deb\.debian\.org\/debian\/pool\/main\/q\/qemu\/qemu_10\.0\.2\+ds\.orig\.tar\.xz$/);
  t.same(
    spec.patches.map((p) => p.subject),
    [
      'target/arm: Route synchronous External aborts by SCR_EL3.EA and HCR_EL2.TEA',
      'hw/arm/virt: Add an ACPI EINJ table whose injections poison guest memory',
      'hw/arm/virt: Add a firmware-first mode to EINJ poison',
    ],
  );
  for (const p of spec.patches) t.match(p.sha256, /^[0-9a-f]{64}$/, `${p.file} hashed`);
  t.ok(spec.configure.includes('--target-list=aarch64-softmmu'));
});

t.test('configure flags follow the host: KVM only on arm64 hosts', async (t) => {
  const raw = { version: '1', url: 'http://x/y.tar.xz', sha256: 'a'.repeat(64), configure: ['--a'], configureOnArm64: ['--enable-kvm'] };
  t.same(parseQemuSpec('s.json', raw, [], 'x64').configure, ['--a']);
  t.same(parseQemuSpec('s.json', raw, [], 'arm64').configure, ['--a', '--enable-kvm']);
  t.throws(() => parseQemuSpec('s.json', { ...raw, sha256: 'ABC' }, [], 'x64'), { message: /s\.json: sha256: expected 64 lowercase hex digits/ });
  t.throws(() => parseQemuSpec('s.json', { ...raw, flags: [] }, [], 'x64'), { message: /unknown key; valid keys/ });
});

t.test('the store key changes with the source, each patch, their order, the flags and the compiler', async (t) => {
  const k = qemuStoreKey(spec, 'gcc 12.2.0');
  const p = spec.patches;
  const variants: Array<[string, QemuSpec, string]> = [
    ['source', { ...spec, sha256: 'b'.repeat(64) }, 'gcc 12.2.0'],
    ['a patch', { ...spec, patches: [{ ...p[0]!, sha256: 'c'.repeat(64) }, ...p.slice(1)] }, 'gcc 12.2.0'],
    ['patch order', { ...spec, patches: [p[1]!, p[0]!, ...p.slice(2)] }, 'gcc 12.2.0'],
    ['a patch less', { ...spec, patches: p.slice(0, -1) }, 'gcc 12.2.0'],
    ['flags', { ...spec, configure: [...spec.configure, '--enable-debug'] }, 'gcc 12.2.0'],
    ['compiler', spec, 'gcc 13.1.0'],
  ];
  for (const [what, s, cc] of variants) t.not(qemuStoreKey(s, cc), k, what);
  t.equal(qemuStoreKey(spec, 'gcc 12.2.0'), k, 'stable');
});

t.test('patch subjects: folded, with the [PATCH n/m] prefix dropped', async (t) => {
  t.equal(patchSubject('From x\nSubject: [PATCH 1/3] target/arm: Route synchronous External aborts by\n SCR_EL3.EA and HCR_EL2.TEA\n\nbody'), 'target/arm: Route synchronous External aborts by SCR_EL3.EA and HCR_EL2.TEA');
  t.equal(patchSubject('Subject: hw: plain\n'), 'hw: plain');
  t.equal(patchSubject('no header'), '(no subject)');
});

t.test("ninja's progress lines", async (t) => {
  t.same(ninjaStep('[838/1869] Compiling C object libblock.a.p/block_block-backend.c.o'), { done: 838, total: 1869 });
  t.equal(ninjaStep('ninja: no work to do.'), null);
  t.equal(ninjaStep('  [1/2] indented is not ninja'), null);
});
