// A pure newc cpio writer: device nodes and 0:0 ownership in an initramfs without root, mknod or GNU cpio.
// Format: the kernel's Documentation/driver-api/early-userspace/buffer-format.rst (what init/initramfs.c reads).
import { HarnessError } from '../util/errors.js';

export type CpioEntry =
  | { readonly type: 'dir'; readonly path: string; readonly mode: number }
  | { readonly type: 'file'; readonly path: string; readonly mode: number; readonly data: Uint8Array }
  | { readonly type: 'symlink'; readonly path: string; readonly target: string }
  | { readonly type: 'char'; readonly path: string; readonly mode: number; readonly major: number; readonly minor: number };

const S_IFCHR = 0o020000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const MAGIC = '070701';
const HEADER_SIZE = 110;
const MAX_U32 = 0xffffffff;

function invalid(message: string): never {
  throw new HarnessError(message, { stage: 'image', hint: 'this is a bug in the image recipe or in the code that builds the entry list' });
}

/** Archive names are relative to the initramfs root: no leading '/', no '.' or '..' components. */
export function normalizeCpioPath(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..')) invalid(`invalid path in cpio archive: "${path}"`);
  return parts.join('/');
}

/**
 * The entries with a directory entry inserted before the first use of every parent that no earlier entry
 * creates: the kernel does not create missing parents (a file under a missing directory is silently dropped).
 * Such a parent gets the mode of its own entry further on, else `dirModes` (e.g. tmp 1777), else 0755.
 */
export function withParentDirs(entries: readonly CpioEntry[], dirModes: ReadonlyMap<string, number> = new Map()): CpioEntry[] {
  // A directory listed later in `entries` keeps its own mode even when it is created early as a parent.
  const modes = new Map(dirModes);
  for (const e of entries) if (e.type === 'dir') modes.set(normalizeCpioPath(e.path), e.mode);
  const seen = new Set<string>();
  const out: CpioEntry[] = [];
  for (const entry of entries) {
    const path = normalizeCpioPath(entry.path);
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (seen.has(dir)) continue;
      seen.add(dir);
      out.push({ type: 'dir', path: dir, mode: modes.get(dir) ?? 0o755 });
    }
    if (entry.type === 'dir' && seen.has(path)) continue;
    seen.add(path);
    out.push(entry);
  }
  return out;
}

function hex8(value: number, what: string): string {
  if (!Number.isInteger(value) || value < 0 || value > MAX_U32) invalid(`cpio ${what} ${value} does not fit the newc header`);
  return value.toString(16).padStart(8, '0');
}

function checkMode(entry: CpioEntry & { mode: number }): number {
  if (!Number.isInteger(entry.mode) || entry.mode < 0 || entry.mode > 0o7777) {
    invalid(`mode ${entry.mode} of ${entry.path} is not a permission mode (0 to 0o7777)`);
  }
  return entry.mode;
}

const pad4 = (n: number): number => (4 - (n % 4)) % 4;

interface Header {
  readonly ino: number;
  readonly mode: number;
  readonly nlink: number;
  readonly mtime: number;
  readonly size: number;
  readonly rdevMajor: number;
  readonly rdevMinor: number;
}

/** Header + name + NUL, padded so that the data starts on a 4-byte boundary. */
function headerBlock(name: string, h: Header): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  if (nameBytes.includes(0)) invalid(`cpio name contains a NUL byte: ${JSON.stringify(name)}`);
  const namesize = nameBytes.length + 1;
  // Field order of buffer-format.rst: ino mode uid gid nlink mtime filesize maj min rmaj rmin namesize chksum.
  // uid and gid are always 0: everything in the guest belongs to root.
  const fields = [h.ino, h.mode, 0, 0, h.nlink, h.mtime, h.size, 0, 0, h.rdevMajor, h.rdevMinor, namesize, 0];
  const names = ['ino', 'mode', 'uid', 'gid', 'nlink', 'mtime', 'filesize', 'devmajor', 'devminor', 'rdevmajor', 'rdevminor', 'namesize', 'check'];
  const header = MAGIC + fields.map((v, i) => hex8(v, names[i]!)).join('');
  return Buffer.concat([Buffer.from(header, 'ascii'), nameBytes, Buffer.alloc(1 + pad4(HEADER_SIZE + namesize))]);
}

/**
 * Encode entries as one newc archive ending in TRAILER!!!. Every non-directory has nlink 1, so the kernel never
 * hard-links entries by inode number, and archives made separately can be concatenated (buffer-format.rst,
 * "Handling of hard links"). Parents must come before children (see withParentDirs).
 */
export function newcArchive(entries: readonly CpioEntry[], options: { mtime?: number } = {}): Buffer {
  const mtime = options.mtime ?? 0;
  const chunks: Buffer[] = [];
  const names = new Set<string>();
  let ino = 1;
  for (const entry of entries) {
    const name = normalizeCpioPath(entry.path);
    if (names.has(name)) invalid(`duplicate path in cpio archive: ${name}`);
    names.add(name);
    const base = { ino: ino++, mtime, rdevMajor: 0, rdevMinor: 0 };
    let data: Uint8Array = new Uint8Array(0);
    let header: Header;
    switch (entry.type) {
      case 'dir':
        header = { ...base, mode: S_IFDIR | checkMode(entry), nlink: 2, size: 0 };
        break;
      case 'file':
        data = entry.data;
        header = { ...base, mode: S_IFREG | checkMode(entry), nlink: 1, size: data.length };
        break;
      case 'symlink':
        // buffer-format.rst: c_filesize must not be zero for a symlink; the data is the target, without NUL.
        if (entry.target === '' || entry.target.includes('\0')) invalid(`symlink ${name} has an invalid target`);
        data = Buffer.from(entry.target, 'utf8');
        header = { ...base, mode: S_IFLNK | 0o777, nlink: 1, size: data.length };
        break;
      case 'char':
        header = { ...base, mode: S_IFCHR | checkMode(entry), nlink: 1, size: 0, rdevMajor: entry.major, rdevMinor: entry.minor };
        break;
    }
    chunks.push(headerBlock(name, header));
    if (data.length > 0) {
      chunks.push(Buffer.from(data.buffer, data.byteOffset, data.length));
      chunks.push(Buffer.alloc(pad4(data.length)));
    }
  }
  chunks.push(headerBlock('TRAILER!!!', { ino: 0, mode: 0, nlink: 1, mtime: 0, size: 0, rdevMajor: 0, rdevMinor: 0 }));
  return Buffer.concat(chunks);
}

