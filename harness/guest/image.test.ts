// Guest image, the parts that need no Debian package: the per-run overlay (read back by an independent newc
// reader), the -initrd concatenation, init.sh, and the recipe's validation. The base image built from Debian arm64
// packages, read with GNU cpio, dropbearkey and the cross readelf, is tested in e2e/08-image.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { execa } from 'execa';
import t from 'tap';
import { createContext } from '../util/context.js';
import { projectRoot } from '../util/project.js';
import { listNewc, readNewc } from '../test-support/newc-reader.js';
import { newcArchive } from './cpio.js';
import { assembleInitrd, type BaseImage, buildOverlay } from './image.js';
import { loadImageRecipe } from './image-recipe.js';
import { generateClientKey } from './ssh.js';

const ctx = createContext({ cacheDir: t.testdir() });
t.teardown(async () => void (await ctx.cleanup.close()));
const key = generateClientKey().publicKey;

/** A stand-in base image: a gzip'd newc archive whose length is not a multiple of 4, as real ones mostly are not. */
async function fakeBase(dir: string): Promise<BaseImage> {
  let gz = gzipSync(newcArchive([{ type: 'file', path: 'init', mode: 0o755, data: Buffer.from('#!/bin/busybox sh\n') }]));
  for (let n = 0; gz.length % 4 === 0; n++) gz = gzipSync(newcArchive([{ type: 'file', path: 'init', mode: 0o755, data: Buffer.from(`#!/bin/busybox sh\n#${n}\n`) }]));
  const path = join(dir, 'base.cpio.gz');
  await writeFile(path, gz);
  return { path, key: 'f'.repeat(64), hostKeyPath: join(dir, 'host_key'), hostKeyPublic: key, packages: [], buildMs: 0, cached: true };
}

t.test('init.sh: busybox shebang, exact console markers, POSIX syntax', async (t) => {
  const text = await readFile(join(projectRoot(), 'images', 'init.sh'), 'utf8');
  t.ok(text.startsWith('#!/bin/busybox sh\n'));
  t.match(text, /^printf '%s\\n' 'sea-harness: userspace started'$/m);
  t.match(text, /^\tprintf '%s\\n' 'sea-harness: sshd ready'$/m);
  await execa('sh', ['-n', join(projectRoot(), 'images', 'init.sh')]);
});

t.test('overlay: authorized_keys 0600 in a 0700 directory, files with their modes, uncompressed', async (t) => {
  const dir = t.testdir({ 'hello.bin': 'binary', 'data.txt': 'data' });
  const out = join(dir, 'overlay.cpio');
  const line = key + ' test@host';
  await buildOverlay(ctx, {
    authorizedKeys: [line],
    files: [
      { guestPath: '/opt/sea/arm64/hello', hostPath: join(dir, 'hello.bin'), mode: 0o755 },
      { guestPath: '/tmp/data.txt', hostPath: join(dir, 'data.txt'), mode: 0o644 },
    ],
    outPath: out,
  });
  const bytes = await readFile(out);
  t.equal(bytes.toString('ascii', 0, 6), '070701', 'uncompressed newc');
  const entries = listNewc(bytes);
  t.match(entries.get('root/.ssh'), { mode: 'drwx------', owner: '0:0' });
  t.match(entries.get('root/.ssh/authorized_keys'), { mode: '-rw-------', owner: '0:0' });
  t.match(entries.get('root'), { mode: 'drwx------' }, 'parents keep the base modes');
  t.match(entries.get('tmp'), { mode: 'drwxrwxrwt' }, '/tmp stays 1777');
  t.match(entries.get('opt/sea/arm64/hello'), { mode: '-rwxr-xr-x', size: '6' });
  t.match(entries.get('tmp/data.txt'), { mode: '-rw-r--r--', size: '4' });
  t.equal(readNewc(bytes).find((m) => m.name === 'root/.ssh/authorized_keys')?.data.toString(), `${line}\n`);
  t.ok([...entries.values()].every((e) => e.owner === '0:0'), 'everything belongs to root');

  const base = await fakeBase(dir);
  const initrd = await assembleInitrd(base, out, join(dir, 'initrd.img'));
  const gz = await readFile(base.path);
  const all = await readFile(initrd);
  const pad = (4 - (gz.length % 4)) % 4;
  t.not(pad, 0, 'the stand-in base needs padding');
  t.same(all.subarray(0, gz.length), gz, 'starts with the base bytes');
  t.ok(all.subarray(gz.length, gz.length + pad).every((b) => b === 0), 'zero padding to 4 bytes (the kernel skips zeros)');
  t.equal((gz.length + pad) % 4, 0, 'the overlay starts 4-byte aligned, as init/initramfs.c requires');
  t.same(all.subarray(gz.length + pad), bytes, 'then the overlay bytes');
  await t.rejects(assembleInitrd(base, base.path, join(dir, 'bad.img')), { stage: 'image', message: /is not an uncompressed newc archive/ });
});

t.test('overlay input errors are explained', async (t) => {
  const dir = t.testdir();
  await t.rejects(buildOverlay(ctx, { authorizedKeys: [], files: [], outPath: join(dir, 'o') }), { stage: 'image', message: /no authorized key/ });
  await t.rejects(buildOverlay(ctx, { authorizedKeys: ['not a key'], files: [], outPath: join(dir, 'o') }), { message: /not an OpenSSH public key/ });
  await t.rejects(
    buildOverlay(ctx, { authorizedKeys: [key], files: [{ guestPath: '/opt/x', hostPath: join(dir, 'missing'), mode: 0o755 }], outPath: join(dir, 'o') }),
    { message: /cannot read .*missing for \/opt\/x/ },
  );
});

t.test('a bad recipe value is refused with a precise message', async (t) => {
  const dir = t.testdir();
  const good = JSON.parse(await readFile(join(projectRoot(), 'images', 'initramfs.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(join(dir, 'init.sh'), '#!/bin/busybox sh\n');
  await writeFile(join(dir, 'good.json'), JSON.stringify(good));
  t.ok(loadImageRecipe(join(dir, 'good.json')), 'the real recipe loads');
  await writeFile(join(dir, 'mode.json'), JSON.stringify({ ...good, directories: { tmp: '1778' } }));
  t.throws(() => loadImageRecipe(join(dir, 'mode.json')), { stage: 'image', message: /directories\.tmp: "1778" is not an octal mode/ });
  await writeFile(join(dir, 'key.json'), JSON.stringify({ ...good, extra: 1 }));
  t.throws(() => loadImageRecipe(join(dir, 'key.json')), { message: /extra: unknown key; valid keys: / });
  await writeFile(join(dir, 'abs.json'), JSON.stringify({ ...good, symlinks: { '/bin/sh': 'busybox' } }));
  t.throws(() => loadImageRecipe(join(dir, 'abs.json')), { message: /not a path relative to the guest root/ });
});
