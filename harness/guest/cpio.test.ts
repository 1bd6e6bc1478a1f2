// newc writer tests: archives read back by GNU cpio (listing and extraction), alignment, parents and bad input.
import { readFile, readlink, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import t from 'tap';
import { type CpioEntry, newcArchive, normalizeCpioPath, withParentDirs } from './cpio.js';

interface Listed {
  readonly mode: string;
  readonly uid: string;
  readonly gid: string;
  /** Size, or "major,minor" for a device. */
  readonly size: string;
  readonly link: string | null;
}

/** `cpio -t -v -n` lines: "crw-------   1 0   0   5,   1 Jan  1  1970 dev/console". */
function parseCpioListing(text: string): Map<string, Listed> {
  const out = new Map<string, Listed>();
  const re = /^(\S{10})\s+\d+\s+(\d+)\s+(\d+)\s+(\d+,\s*\d+|\d+)\s+\w{3}\s+\d+\s+[\d:]+\s+(.+?)(?: -> (.+))?$/;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = re.exec(line);
    if (!m) throw new Error(`unexpected cpio -tv line: ${line}`);
    out.set(m[5]!, { mode: m[1]!, uid: m[2]!, gid: m[3]!, size: m[4]!.replace(/\s+/g, ''), link: m[6] ?? null });
  }
  return out;
}

const sample: CpioEntry[] = [
  { type: 'dir', path: 'bin', mode: 0o755 },
  { type: 'file', path: 'bin/tool', mode: 0o755, data: Buffer.from('#!/bin/sh\necho tool\n') },
  { type: 'symlink', path: 'bin/sh', target: 'tool' },
  { type: 'dir', path: 'root', mode: 0o700 },
  { type: 'dir', path: 'tmp', mode: 0o1777 },
  // Lengths 1, 2, 3 and 5 exercise every padding remainder for both names and data.
  { type: 'file', path: 'root/a', mode: 0o600, data: Buffer.from('x') },
  { type: 'file', path: 'root/bb', mode: 0o640, data: Buffer.from('xy') },
  { type: 'file', path: 'root/ccc', mode: 0o644, data: Buffer.from('xyz') },
  { type: 'file', path: 'root/empty', mode: 0o644, data: Buffer.alloc(0) },
  { type: 'file', path: '/etc/motd', mode: 0o644, data: Buffer.from('hello') },
  { type: 'char', path: 'dev/console', mode: 0o600, major: 5, minor: 1 },
  { type: 'char', path: 'dev/null', mode: 0o666, major: 1, minor: 3 },
];

t.test('GNU cpio lists every entry with its type, mode, 0:0 ownership and device numbers', async (t) => {
  const dir = t.testdir();
  const archive = newcArchive(withParentDirs(sample));
  const file = join(dir, 'a.cpio');
  await writeFile(file, archive);
  const { stdout } = await execa('cpio', ['-t', '-v', '-n', '--quiet', '-H', 'newc', '-F', file]);
  const listed = parseCpioListing(stdout);
  t.same([...listed.keys()], ['bin', 'bin/tool', 'bin/sh', 'root', 'tmp', 'root/a', 'root/bb', 'root/ccc', 'root/empty', 'etc', 'etc/motd', 'dev', 'dev/console', 'dev/null']);
  t.match(listed.get('bin/tool'), { mode: '-rwxr-xr-x', uid: '0', gid: '0', size: '20' });
  t.match(listed.get('bin/sh'), { mode: 'lrwxrwxrwx', link: 'tool' });
  t.match(listed.get('root'), { mode: 'drwx------' });
  t.match(listed.get('tmp'), { mode: 'drwxrwxrwt' });
  t.match(listed.get('root/a'), { mode: '-rw-------', size: '1' });
  t.match(listed.get('etc'), { mode: 'drwxr-xr-x' }, 'a missing parent is added as 0755');
  t.match(listed.get('dev/console'), { mode: 'crw-------', uid: '0', gid: '0', size: '5,1' });
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

t.test('every header starts on a 4-byte boundary and the archive ends with TRAILER!!!', async (t) => {
  const archive = newcArchive(withParentDirs(sample));
  t.equal(archive.length % 4, 0);
  let offset = 0;
  const names: string[] = [];
  for (;;) {
    t.equal(offset % 4, 0, `header at ${offset} is aligned`);
    t.equal(archive.toString('ascii', offset, offset + 6), '070701');
    const field = (i: number) => Number.parseInt(archive.toString('ascii', offset + 6 + 8 * i, offset + 14 + 8 * i), 16);
    const [size, namesize, check] = [field(6), field(11), field(12)];
    t.equal(check, 0);
    const name = archive.toString('utf8', offset + 110, offset + 110 + namesize - 1);
    t.equal(archive[offset + 110 + namesize - 1], 0, 'name is NUL-terminated');
    names.push(name);
    const dataStart = offset + 110 + namesize + ((4 - ((110 + namesize) % 4)) % 4);
    t.equal(dataStart % 4, 0);
    offset = dataStart + size + ((4 - (size % 4)) % 4);
    if (name === 'TRAILER!!!') break;
  }
  t.equal(offset, archive.length, 'nothing after the trailer');
  t.equal(names.length, withParentDirs(sample).length + 1);
});

t.test('bad input is refused with a clear error', async (t) => {
  t.throws(() => newcArchive([{ type: 'file', path: '../etc/passwd', mode: 0o644, data: Buffer.alloc(0) }]), { message: /invalid path/ });
  t.throws(() => newcArchive([{ type: 'dir', path: '/', mode: 0o755 }]), { message: /invalid path/ });
  t.throws(() => newcArchive([{ type: 'symlink', path: 'x', target: '' }]), { message: /invalid target/ });
  t.throws(() => newcArchive([{ type: 'dir', path: 'x', mode: 0o10000 }]), { message: /not a permission mode/ });
  t.throws(() => newcArchive([{ type: 'char', path: 'x', mode: 0o600, major: -1, minor: 0 }]), { message: /does not fit/ });
  t.throws(
    () =>
      newcArchive([
        { type: 'dir', path: 'x', mode: 0o755 },
        { type: 'dir', path: './x/', mode: 0o755 },
      ]),
    { message: /duplicate path in cpio archive: x/ },
  );
  t.equal(normalizeCpioPath('/usr//bin/./env'), 'usr/bin/env');
});

t.test('withParentDirs keeps an explicit directory\'s mode', async (t) => {
  const entries = withParentDirs([
    { type: 'dir', path: 'root', mode: 0o700 },
    { type: 'file', path: 'root/.ssh/authorized_keys', mode: 0o600, data: Buffer.from('k') },
    { type: 'dir', path: 'root/.ssh', mode: 0o700 },
  ]);
  t.same(
    entries.map((e) => [e.path, 'mode' in e ? e.mode : null]),
    [
      ['root', 0o700],
      ['root/.ssh', 0o700],
      ['root/.ssh/authorized_keys', 0o600],
    ],
    'a directory listed after its first use is created first, with its own mode, and not repeated',
  );
});
