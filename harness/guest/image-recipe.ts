// The guest image's recipe (images/initramfs.json) as validated data.
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { ExitCode, HarnessError, UsageError } from '../util/errors.js';
import { projectRoot } from '../util/project.js';
import { DataReader } from '../util/validate.js';
import { type CpioEntry, normalizeCpioPath } from './cpio.js';

/** Bump when image.ts or cpio.ts changes what goes into the archive: it is part of the cache key. */
export const IMAGE_FORMAT = 1;

/** Write a file so that readers see the old or the new content, never half of it. */
export async function writeAtomically(path: string, data: Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/** images/initramfs.json, validated. */
export interface ImageRecipe {
  /** For messages, e.g. images/initramfs.json. */
  readonly file: string;
  /** The file's bytes: part of the cache key. */
  readonly bytes: Buffer;
  /** Host path of the script that becomes /init. */
  readonly initPath: string;
  /** Where the SSH host key goes in the image. */
  readonly hostKey: string;
  /** Directories the arm64 loader searches without an ld.so.cache (glibc's built-in list on Debian). */
  readonly libraryPath: readonly string[];
  readonly packages: readonly { readonly name: string; readonly take: readonly string[] }[];
  readonly directories: ReadonlyMap<string, number>;
  /** The recipe's devices, symlinks and files. */
  readonly entries: readonly CpioEntry[];
}

function isGuestRelative(path: string): boolean {
  try {
    return normalizeCpioPath(path) === path;
  } catch {
    return false;
  }
}

const RECIPE_KEYS = ['description', 'init', 'hostKey', 'libraryPath', 'packages', 'directories', 'devices', 'symlinks', 'files'];

export function loadImageRecipe(path = join(projectRoot(), 'images', 'initramfs.json')): ImageRecipe {
  const file = relative(projectRoot(), path).startsWith('..') ? path : relative(projectRoot(), path);
  try {
    const bytes = readFileSync(path);
    const r = DataReader.root(file, JSON.parse(bytes.toString('utf8')) as unknown).only(RECIPE_KEYS);
    const rel = (at: DataReader, key: string, value: string): string =>
      isGuestRelative(value) ? value : at.fail(key, `"${value}" is not a path relative to the guest root (no leading /, no ..)`);
    const mode = (at: DataReader, key: string): number => {
      const v = at.string(key);
      return /^[0-7]{3,4}$/.test(v) ? Number.parseInt(v, 8) : at.fail(key, `"${v}" is not an octal mode such as "0755"`);
    };
    const map = (key: string): DataReader => r.optChild(key) ?? new DataReader(file, {}, `${key}.`);
    const packages = r.children('packages').map((p) => {
      p.only(['name', 'why', 'take']);
      const take = p.strings('take');
      if (take.length === 0) p.fail('take', 'expected at least one path');
      return { name: p.string('name'), take: take.map((t) => rel(p, 'take', t)) };
    });
    if (packages.length === 0) r.fail('packages', 'expected at least one package');
    const dup = packages.find((p, i) => packages.findIndex((q) => q.name === p.name) !== i);
    if (dup) r.fail('packages', `${dup.name} is listed twice`);
    const dirs = map('directories');
    const devs = map('devices');
    const links = map('symlinks');
    const files = map('files');
    const entries: CpioEntry[] = [
      ...devs.keys().map((k): CpioEntry => {
        const d = devs.child(k).only(['type', 'major', 'minor', 'mode']);
        d.oneOf('type', ['char'] as const);
        return { type: 'char', path: rel(devs, k, k), mode: mode(d, 'mode'), major: d.number('major'), minor: d.number('minor') };
      }),
      ...links.keys().map((k): CpioEntry => ({ type: 'symlink', path: rel(links, k, k), target: links.string(k) })),
      ...files.keys().map((k): CpioEntry => {
        const f = files.child(k).only(['mode', 'lines']);
        const lines = f.strings('lines');
        return { type: 'file', path: rel(files, k, k), mode: mode(f, 'mode'), data: Buffer.from(lines.map((l) => `${l}\n`).join('')) };
      }),
    ];
    return {
      file,
      bytes,
      initPath: join(dirname(path), r.string('init')),
      hostKey: rel(r, 'hostKey', r.string('hostKey')),
      libraryPath: r.strings('libraryPath').map((d) => rel(r, 'libraryPath', d)),
      packages,
      directories: new Map(dirs.keys().map((k) => [rel(dirs, k, k), mode(dirs, k)])),
      entries,
    };
  } catch (err) {
    if (err instanceof HarnessError && !(err instanceof UsageError)) throw err;
    // DataReader's errors speak for the CLI's data files; here the same message belongs to the image stage.
    const why = err instanceof UsageError ? err.message : `${file}: ${(err as Error).message}`;
    throw new UsageError(why, undefined, { stage: 'image', cause: err, hint: `fix ${file}` });
  }
}

