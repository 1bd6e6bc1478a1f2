// A newc cpio reader for tests, written from buffer-format.rst apart from harness/guest/cpio.ts, so an archive the
// writer makes is read back by other code; entries are shown the way `cpio -t -v -n` lists them.
import { gunzipSync } from 'node:zlib';

export interface NewcMember {
  readonly name: string;
  /** st_mode: file type and permission bits. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly nlink: number;
  readonly mtime: number;
  readonly rdevMajor: number;
  readonly rdevMinor: number;
  readonly data: Buffer;
}

const FIELDS = ['ino', 'mode', 'uid', 'gid', 'nlink', 'mtime', 'filesize', 'devmajor', 'devminor', 'rdevmajor', 'rdevminor', 'namesize', 'check'] as const;
const align4 = (n: number) => n + ((4 - (n % 4)) % 4);

/** The members of one newc archive (or a gzip of one), in order, without the TRAILER!!! entry. Throws on bad framing. */
export function readNewc(bytes: Buffer): NewcMember[] {
  const buf = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  const out: NewcMember[] = [];
  let offset = 0;
  for (;;) {
    if (offset + 110 > buf.length) throw new Error(`newc: archive ends at ${buf.length} without TRAILER!!!`);
    const magic = buf.toString('ascii', offset, offset + 6);
    if (magic !== '070701') throw new Error(`newc: bad magic ${JSON.stringify(magic)} at ${offset}`);
    const f = Object.fromEntries(FIELDS.map((k, i) => [k, Number.parseInt(buf.toString('ascii', offset + 6 + 8 * i, offset + 14 + 8 * i), 16)])) as Record<(typeof FIELDS)[number], number>;
    const name = buf.toString('utf8', offset + 110, offset + 110 + f.namesize - 1);
    const dataStart = align4(offset + 110 + f.namesize);
    const data = buf.subarray(dataStart, dataStart + f.filesize);
    offset = align4(dataStart + f.filesize);
    if (name === 'TRAILER!!!') return out;
    out.push({ name, mode: f.mode, uid: f.uid, gid: f.gid, nlink: f.nlink, mtime: f.mtime, rdevMajor: f.rdevmajor, rdevMinor: f.rdevminor, data: Buffer.from(data) });
  }
}

/** `ls -l` style mode string, as GNU cpio -t -v prints it: "crw-------", "drwxrwxrwt", "lrwxrwxrwx". */
export function modeString(mode: number): string {
  const type = ({ 0o020000: 'c', 0o040000: 'd', 0o100000: '-', 0o120000: 'l', 0o060000: 'b', 0o010000: 'p', 0o140000: 's' } as Record<number, string>)[mode & 0o170000] ?? '?';
  const rwx = (bits: number, special: boolean, set: string, unset: string) => `${bits & 4 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${special ? (bits & 1 ? set : unset) : bits & 1 ? 'x' : '-'}`;
  return type + rwx((mode >> 6) & 7, (mode & 0o4000) !== 0, 's', 'S') + rwx((mode >> 3) & 7, (mode & 0o2000) !== 0, 's', 'S') + rwx(mode & 7, (mode & 0o1000) !== 0, 't', 'T');
}

/** One line of `cpio -t -v -n`, reduced to what the tests compare. */
export interface ListedEntry {
  readonly mode: string;
  /** "uid:gid" */
  readonly owner: string;
  /** Size, or "major,minor" for a device. */
  readonly size: string;
  readonly link: string | null;
}

/** A member as `cpio -t -v -n` would list it. */
export function listed(m: NewcMember): ListedEntry {
  const type = m.mode & 0o170000;
  const device = type === 0o020000 || type === 0o060000;
  return {
    mode: modeString(m.mode),
    owner: `${m.uid}:${m.gid}`,
    size: device ? `${m.rdevMajor},${m.rdevMinor}` : String(m.data.length),
    link: type === 0o120000 ? m.data.toString('utf8') : null,
  };
}

/** Every member of an archive, by name, as `cpio -t -v -n` would list it. */
export const listNewc = (bytes: Buffer): Map<string, ListedEntry> => new Map(readNewc(bytes).map((m) => [m.name, listed(m)]));

/** GNU `cpio -t -v -n` output: mode, links, uid, gid, size or "major, minor", date, name [-> target]. */
export function parseCpioListing(text: string): Map<string, ListedEntry> {
  const re = /^(\S{10})\s+\d+\s+(\d+)\s+(\d+)\s+(\d+,\s*\d+|\d+)\s+\w{3}\s+\d+\s+[\d:]+\s+(.+?)(?: -> (.+))?$/;
  const out = new Map<string, ListedEntry>();
  for (const line of text.split('\n').filter(Boolean)) {
    const m = re.exec(line);
    if (!m) throw new Error(`unexpected cpio -tv line: ${line}`);
    out.set(m[5]!, { mode: m[1]!, owner: `${m[2]}:${m[3]}`, size: m[4]!.replace(/\s+/g, ''), link: m[6] ?? null });
  }
  return out;
}
