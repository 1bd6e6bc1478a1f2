// The guest image for real: a base image from Debian arm64 packages (apt lists and .debs from the harness's cache,
// fetched once), read back with GNU cpio, dropbearkey and the cross readelf; the newc writer's archives read and
// extracted by GNU cpio (whose listing of the sample is recorded for the unit test). Builds no kernel, boots nothing.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import t from 'tap';
import { type Context, createContext, defaultCacheDir } from '../util/context.js';
import { HarnessError } from '../util/errors.js';
import { projectRoot } from '../util/project.js';
import { newcArchive, withParentDirs } from '../guest/cpio.js';
import { assembleInitrd, type BaseImage, buildBaseImage, buildOverlay } from '../guest/image.js';
import { loadImageRecipe } from '../guest/image-recipe.js';
import { CPIO_SAMPLE as sample, CPIO_SAMPLE_LISTING } from '../test-support/cpio-sample.js';
import { parseCpioListing } from '../test-support/newc-reader.js';
import { E2E_TIMEOUT_MS } from '../test-support/timeouts.js';

t.setTimeout(E2E_TIMEOUT_MS['08-image']);

/** `zcat GZ | cpio ARGS`, stdout as bytes. */
const zcatCpio = async (gz: string, args: readonly string[]): Promise<Buffer> =>
  Buffer.from((await execa('zcat', [gz]).pipe('cpio', [...args], { encoding: 'buffer', stripFinalNewline: false })).stdout);

/**
 * A fresh image cache (so the first build is cold) that shares the harness's apt lists and .deb cache: the test
 * measures building, not the network, once those exist.
 */
async function freshContext(t: { testdir(): string; teardown(fn: () => unknown): void }): Promise<Context> {
  const shared = defaultCacheDir();
  const cacheDir = t.testdir();
  for (const d of ['apt', 'debs']) {
    await mkdir(join(shared, d), { recursive: true });
    await symlink(join(shared, d), join(cacheDir, d));
  }
  const ctx = createContext({ cacheDir });
  t.teardown(async () => void (await ctx.cleanup.close()));
  return ctx;
}

const ctx = await freshContext(t);
let base: BaseImage;
let coldMs = 0;

t.test('cold build', async (t) => {
  const started = Date.now();
  base = await buildBaseImage(ctx);
  coldMs = Date.now() - started;
  const size = (await stat(base.path)).size;
  const manifest = JSON.parse(await readFile(join(base.path, '..', 'manifest.json'), 'utf8')) as { uncompressedBytes: number };
  t.comment(`cold base image build: ${coldMs} ms (apt lists and .debs from the shared cache); ${size} bytes gzip'd, ${manifest.uncompressedBytes} uncompressed`);
  t.equal(base.cached, false);
  t.match(base.key, /^[0-9a-f]{64}$/);
  t.match(base.hostKeyPublic, /^ssh-ed25519 AAAA[A-Za-z0-9+/]+=*$/);
  t.same(
    base.packages.map((p) => p.name),
    ['busybox-static', 'dropbear-bin', 'libc6', 'libcrypt1', 'libtomcrypt1', 'libtommath1', 'zlib1g', 'libgmp10'],
  );
  for (const p of base.packages) t.match(p.version, /^\S+$/, `${p.name} has a version`);
  t.equal((await readFile(base.path)).subarray(0, 2).toString('hex'), '1f8b', 'gzip');
});

t.test('contents, read with zcat | cpio -t -v', async (t) => {
  const entries = parseCpioListing((await zcatCpio(base.path, ['-t', '-v', '-n', '--quiet'])).toString());
  t.match(entries.get('init'), { mode: '-rwxr-xr-x', owner: '0:0' });
  t.match(entries.get('bin/busybox'), { mode: '-rwxr-xr-x', owner: '0:0' });
  t.match(entries.get('bin/sh'), { mode: 'lrwxrwxrwx', link: 'busybox' });
  t.match(entries.get('usr/sbin/dropbear'), { mode: '-rwxr-xr-x' });
  t.match(entries.get('lib/ld-linux-aarch64.so.1'), { link: 'aarch64-linux-gnu/ld-linux-aarch64.so.1' });
  for (const lib of [
    'lib/aarch64-linux-gnu/ld-linux-aarch64.so.1',
    'lib/aarch64-linux-gnu/libc.so.6',
    'lib/aarch64-linux-gnu/libcrypt.so.1',
    'lib/aarch64-linux-gnu/libz.so.1',
    'usr/lib/aarch64-linux-gnu/libtomcrypt.so.1',
    'usr/lib/aarch64-linux-gnu/libtommath.so.1',
    'usr/lib/aarch64-linux-gnu/libgmp.so.10',
  ]) {
    t.ok(entries.has(lib), `${lib} is in the image`);
  }
  t.match(entries.get('dev/console'), { mode: 'crw-------', owner: '0:0', size: '5,1' });
  t.match(entries.get('dev/null'), { mode: 'crw-rw-rw-', size: '1,3' });
  t.match(entries.get('root'), { mode: 'drwx------' });
  t.match(entries.get('tmp'), { mode: 'drwxrwxrwt' });
  t.match(entries.get('etc/dropbear/dropbear_ed25519_host_key'), { mode: '-rw-------', owner: '0:0' });
  t.notOk(entries.has('root/.ssh/authorized_keys'), 'keys come with the per-run overlay only');
  t.ok([...entries.values()].every((e) => e.owner === '0:0'), 'everything belongs to root');

  const file = (name: string) => zcatCpio(base.path, ['-i', '--quiet', '--to-stdout', name]);
  t.same(await file('init'), await readFile(join(projectRoot(), 'images', 'init.sh')), '/init is images/init.sh');
  t.match((await file('etc/passwd')).toString(), /^root:x:0:0:root:\/root:\/bin\/sh$/m);
  t.match((await file('etc/shells')).toString(), /^\/bin\/sh$/m);
});

t.test('the host key in the image is the pinned one', async (t) => {
  const dir = t.testdir();
  const key = await zcatCpio(base.path, ['-i', '--quiet', '--to-stdout', 'etc/dropbear/dropbear_ed25519_host_key']);
  t.same(key, await readFile(base.hostKeyPath), 'same bytes as hostKeyPath');
  await writeFile(join(dir, 'key'), key);
  const { stdout } = await execa('dropbearkey', ['-y', '-f', join(dir, 'key')]);
  t.equal(stdout.split('\n').find((l) => l.startsWith('ssh-ed25519 '))?.split(' ').slice(0, 2).join(' '), base.hostKeyPublic);
});

t.test('every dynamic binary finds its loader and libraries in the extracted image (independent check)', async (t) => {
  const root = t.testdir();
  await execa('zcat', [base.path]).pipe('cpio', ['-i', '-d', '--quiet', '--no-absolute-filenames', '-D', root, '-f', 'dev/*']);
  const dirs = loadImageRecipe().libraryPath;
  const todo = ['usr/sbin/dropbear'];
  const seen = new Set<string>();
  while (todo.length > 0) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    const { stdout } = await execa('aarch64-linux-gnu-readelf', ['-h', '-l', '-d', '-W', join(root, f)]);
    t.match(stdout, /Machine:\s+AArch64/, `${f} is arm64`);
    const interp = /program interpreter: ([^\]]+)\]/.exec(stdout)?.[1];
    if (interp) t.ok(existsSync(join(root, interp)), `${f}: loader ${interp} present`);
    for (const [, lib] of stdout.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)) {
      const found = dirs.map((d) => `${d}/${lib}`).find((p) => existsSync(join(root, p)));
      t.ok(found, `${f}: ${lib} present`);
      if (found) todo.push(found);
    }
  }
  t.ok(seen.has('usr/lib/aarch64-linux-gnu/libgmp.so.10'), 'libgmp is reached through libtomcrypt');
  const busybox = await execa('aarch64-linux-gnu-readelf', ['-l', '-W', join(root, 'bin/busybox')]);
  t.notMatch(busybox.stdout, /program interpreter/, 'busybox is static');
});

t.test('second build is a cache hit', async (t) => {
  const again = await buildBaseImage(ctx);
  t.comment(`warm base image build (cache hit): ${again.buildMs} ms`);
  t.equal(again.cached, true);
  t.equal(again.key, base.key);
  t.equal(again.path, base.path);
  t.equal(again.hostKeyPublic, base.hostKeyPublic, 'the host key stays pinned while the image is cached');
  t.ok(again.buildMs < Math.max(coldMs, 10_000), 'faster than building');
});

t.test('overlay read by GNU cpio: authorized_keys 0600 in a 0700 directory, files with their modes; the -initrd file on the real base', async (t) => {
  const dir = t.testdir({ 'hello.bin': 'binary', 'data.txt': 'data' });
  const out = join(dir, 'overlay.cpio');
  const key = base.hostKeyPublic + ' test@host';
  await buildOverlay(ctx, {
    authorizedKeys: [key],
    files: [
      { guestPath: '/opt/sea/arm64/hello', hostPath: join(dir, 'hello.bin'), mode: 0o755 },
      { guestPath: '/tmp/data.txt', hostPath: join(dir, 'data.txt'), mode: 0o644 },
    ],
    outPath: out,
  });
  const bytes = await readFile(out);
  t.equal(bytes.toString('ascii', 0, 6), '070701', 'uncompressed newc');
  const entries = parseCpioListing((await execa('cpio', ['-t', '-v', '-n', '--quiet', '-F', out])).stdout);
  t.match(entries.get('root/.ssh'), { mode: 'drwx------', owner: '0:0' });
  t.match(entries.get('root/.ssh/authorized_keys'), { mode: '-rw-------', owner: '0:0' });
  t.match(entries.get('root'), { mode: 'drwx------' }, 'parents keep the base modes');
  t.match(entries.get('tmp'), { mode: 'drwxrwxrwt' }, '/tmp stays 1777');
  t.match(entries.get('opt/sea/arm64/hello'), { mode: '-rwxr-xr-x', size: '6' });
  const keys = await execa('cpio', ['-i', '--quiet', '--to-stdout', '-F', out, 'root/.ssh/authorized_keys'], { stripFinalNewline: false });
  t.equal(keys.stdout, `${key}\n`);

  const initrd = await assembleInitrd(base, out, join(dir, 'initrd.img'));
  const gz = await readFile(base.path);
  const all = await readFile(initrd);
  const pad = (4 - (gz.length % 4)) % 4;
  t.same(all.subarray(0, gz.length), gz, 'starts with the base bytes');
  t.ok(all.subarray(gz.length, gz.length + pad).every((b) => b === 0), 'zero padding to 4 bytes (the kernel skips zeros)');
  t.equal((gz.length + pad) % 4, 0, 'the overlay starts 4-byte aligned, as init/initramfs.c requires');
  t.same(all.subarray(gz.length + pad), bytes, 'then the overlay bytes');
});

t.test('two concurrent cold builds publish one image', async (t) => {
  const fresh = await freshContext(t);
  const [a, b] = await Promise.all([buildBaseImage(fresh), buildBaseImage(fresh)]);
  t.equal(a.key, base.key);
  t.same([a.cached, b.cached].sort(), [false, true], 'one builds, the other waits and finds it cached');
  t.equal(a.hostKeyPublic, b.hostKeyPublic);
  const left = (await readdir(join(fresh.cacheDir, 'images'))).filter((f) => f.startsWith('.build-'));
  t.same(left, [], 'no temporary build directory is left');
});

t.test('a recipe missing a library package fails naming the library and the package', async (t) => {
  const dir = t.testdir();
  const recipe = JSON.parse(await readFile(join(projectRoot(), 'images', 'initramfs.json'), 'utf8')) as { packages: { name: string }[] };
  recipe.packages = recipe.packages.filter((p) => p.name !== 'libgmp10');
  await writeFile(join(dir, 'initramfs.json'), JSON.stringify(recipe));
  await writeFile(join(dir, 'init.sh'), await readFile(join(projectRoot(), 'images', 'init.sh')));
  const err = await buildBaseImage(ctx, { recipePath: join(dir, 'initramfs.json') }).then(
    () => null,
    (e: unknown) => e,
  );
  t.type(err, HarnessError);
  const h = err as HarnessError;
  t.equal(h.stage, 'image');
  t.match(h.message, /libtomcrypt\.so\.1\.0\.1 \(from libtomcrypt1\) needs libgmp\.so\.10, which is not in the image/);
  t.match(h.hint, /libgmp10/);
  t.comment(h.describe());
});

t.test('a misspelt package or a missing file in a package is refused with a precise message', async (t) => {
  const dir = t.testdir();
  const good = JSON.parse(await readFile(join(projectRoot(), 'images', 'initramfs.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(join(dir, 'init.sh'), '#!/bin/busybox sh\n');
  await writeFile(join(dir, 'typo.json'), JSON.stringify({ ...good, packages: [{ name: 'dropbear-bim', take: ['usr/sbin/dropbear'] }] }));
  await t.rejects(buildBaseImage(ctx, { recipePath: join(dir, 'typo.json') }), { stage: 'image', message: /no arm64 package dropbear-bim/ });
  const packages = (good.packages as { name: string; take: string[] }[]).map((p) => (p.name === 'dropbear-bin' ? { ...p, take: ['usr/sbin/dropbaer'] } : p));
  await writeFile(join(dir, 'take.json'), JSON.stringify({ ...good, packages }));
  await t.rejects(buildBaseImage(ctx, { recipePath: join(dir, 'take.json') }), {
    stage: 'image',
    message: /package dropbear-bin has no usr\/sbin\/dropbaer/,
    hint: /usr\/sbin\/dropbear/,
  });
});

t.test('GNU cpio lists every entry with its type, mode, 0:0 ownership and device numbers', async (t) => {
  const dir = t.testdir();
  const archive = newcArchive(withParentDirs(sample));
  const file = join(dir, 'a.cpio');
  await writeFile(file, archive);
  const { stdout } = await execa('cpio', ['-t', '-v', '-n', '--quiet', '-H', 'newc', '-F', file], { env: { TZ: 'UTC' } });
  t.equal(stdout + '\n', readFileSync(CPIO_SAMPLE_LISTING, 'utf8'), 'exactly the recorded listing (harness/guest/fixtures)');
  const listed = parseCpioListing(stdout);
  t.same([...listed.keys()], ['bin', 'bin/tool', 'bin/sh', 'root', 'tmp', 'root/a', 'root/bb', 'root/ccc', 'root/empty', 'etc', 'etc/motd', 'dev', 'dev/console', 'dev/null']);
  t.match(listed.get('bin/tool'), { mode: '-rwxr-xr-x', owner: '0:0', size: '20' });
  t.match(listed.get('bin/sh'), { mode: 'lrwxrwxrwx', link: 'tool' });
  t.match(listed.get('root'), { mode: 'drwx------' });
  t.match(listed.get('tmp'), { mode: 'drwxrwxrwt' });
  t.match(listed.get('root/a'), { mode: '-rw-------', size: '1' });
  t.match(listed.get('etc'), { mode: 'drwxr-xr-x' }, 'a missing parent is added as 0755');
  t.match(listed.get('dev/console'), { mode: 'crw-------', owner: '0:0', size: '5,1' });
  t.match(listed.get('dev/null'), { mode: 'crw-rw-rw-', size: '1,3' });
});

t.test('GNU cpio extracts the same bytes, modes and symlinks', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'a.cpio');
  await writeFile(file, newcArchive(withParentDirs(sample)));
  const out = join(dir, 'out');
  // Device nodes are left out: extracting them would need mknod, which is exactly what the writer avoids.
  await execa('cpio', ['-i', '-d', '--quiet', '--no-absolute-filenames', '-H', 'newc', '-D', out, '-F', file, '-f', 'dev/*']);
  t.equal(await readFile(join(out, 'bin/tool'), 'utf8'), '#!/bin/sh\necho tool\n');
  t.equal((await stat(join(out, 'bin/tool'))).mode & 0o7777, 0o755);
  t.equal(await readlink(join(out, 'bin/sh')), 'tool');
  t.equal((await stat(join(out, 'root/a'))).mode & 0o7777, 0o600);
  t.equal(await readFile(join(out, 'root/ccc'), 'utf8'), 'xyz');
  t.equal((await stat(join(out, 'root/empty'))).size, 0);
  t.equal(await readFile(join(out, 'etc/motd'), 'utf8'), 'hello');
});
