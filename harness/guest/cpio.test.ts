// newc writer tests: archives read back by an independent reader and compared with GNU cpio's recorded listing of
// the same archive (GNU cpio itself reads and extracts them in e2e/08-image), alignment, parents and bad input.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { newcArchive, normalizeCpioPath, withParentDirs } from './cpio.js';
import { CPIO_SAMPLE as sample, CPIO_SAMPLE_LISTING } from '../test-support/cpio-sample.js';
import { listNewc, parseCpioListing, readNewc } from '../test-support/newc-reader.js';

t.test('read back: every entry with its type, mode, 0:0 ownership and device numbers', async (t) => {
  const listed = listNewc(newcArchive(withParentDirs(sample)));
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

t.test("GNU cpio's recorded listing of this archive: the same entries, in order, with the same modes, owners, sizes and targets", async (t) => {
  const gnu = parseCpioListing(readFileSync(CPIO_SAMPLE_LISTING, 'utf8'));
  const ours = listNewc(newcArchive(withParentDirs(sample)));
  t.same([...ours.entries()], [...gnu.entries()]);
});

t.test('read back: the same bytes, modes and symlink targets', async (t) => {
  const members = new Map(readNewc(newcArchive(withParentDirs(sample))).map((m) => [m.name, m]));
  t.equal(members.get('bin/tool')?.data.toString(), '#!/bin/sh\necho tool\n');
  t.equal(members.get('bin/tool')!.mode & 0o7777, 0o755);
  t.equal(members.get('bin/sh')?.data.toString(), 'tool');
  t.equal(members.get('root/a')!.mode & 0o7777, 0o600);
  t.equal(members.get('root/ccc')?.data.toString(), 'xyz');
  t.equal(members.get('root/empty')?.data.length, 0);
  t.equal(members.get('etc/motd')?.data.toString(), 'hello');
  t.ok([...members.values()].every((m) => m.mtime === 0), 'mtime 0 unless asked: the same entries give the same bytes');
  t.ok([...members.values()].every((m) => (m.mode & 0o170000) === 0o040000 || m.nlink === 1), 'nlink 1 for non-directories (no hard links across concatenated archives)');
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
