// The content-addressed artifact store: kernel builds keyed by source tree, config and toolchain.
import { cp, copyFile, mkdir, readFile, rename, rm, writeFile, access, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { sha256, shortHash } from '../util/hash.js';

/** Bump when the store layout changes: old entries are then simply never hit. */
const STORE_FORMAT = 'store-v1';

export interface StoreKeyParts {
  readonly tree: string;
  readonly fragmentHash: string;
  readonly toolchain: string;
  /** A build of the same tree and config with other make variables (`gcov:GCOV_PROFILE_guest.o=y,...`). */
  readonly variant?: string;
}

export function storeKey(parts: StoreKeyParts): string {
  const variant = parts.variant ? [parts.variant] : [];
  return shortHash(sha256(STORE_FORMAT, parts.tree, parts.fragmentHash, parts.toolchain, ...variant)) + shortHash(sha256(parts.tree)).slice(0, 8);
}

/** Build-directory files a variant keeps with its entry (the coverage build's .gcno notes): tree-relative paths. */
export interface StoreExtras {
  readonly subdir: string;
  readonly files: readonly string[];
}

export interface KernelArtifact {
  readonly key: string;
  readonly dir: string;
  readonly image: string;
  readonly config: string;
  readonly systemMap: string;
  readonly vmlinux: string;
  readonly tree: string;
  readonly release: string | null;
  /** True when this came from the store and make did not run. */
  readonly fromStore: boolean;
  readonly buildMs: number;
}

interface Manifest {
  key: string;
  tree: string;
  fragmentHash: string;
  toolchain: string;
  release: string | null;
  buildMs: number;
  storedAt: string;
}

export function storeRoot(cacheDir: string): string {
  return join(cacheDir, 'store');
}

function artifactPaths(dir: string) {
  return { image: join(dir, 'Image'), config: join(dir, 'config'), systemMap: join(dir, 'System.map'), vmlinux: join(dir, 'vmlinux') };
}

export async function lookupKernel(cacheDir: string, parts: StoreKeyParts): Promise<KernelArtifact | null> {
  const key = storeKey(parts);
  const dir = join(storeRoot(cacheDir), key);
  const manifest = await readFile(join(dir, 'manifest.json'), 'utf8').catch(() => null);
  if (!manifest) return null;
  const m = JSON.parse(manifest) as Manifest;
  const paths = artifactPaths(dir);
  const ok = await Promise.all(Object.values(paths).map((p) => access(p).then(() => true, () => false)));
  if (ok.includes(false)) return null;
  return { key, dir, ...paths, tree: m.tree, release: m.release, fromStore: true, buildMs: 0 };
}

/** Copy the build's products into the store; written to a temp dir and renamed so readers never see half an entry. */
export async function storeKernel(cacheDir: string, parts: StoreKeyParts, buildDir: string, release: string | null, buildMs: number, buildLog: string, extras?: StoreExtras): Promise<KernelArtifact> {
  const key = storeKey(parts);
  const dir = join(storeRoot(cacheDir), key);
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const paths = artifactPaths(tmp);
  await copyFile(join(buildDir, 'arch', 'arm64', 'boot', 'Image'), paths.image);
  await copyFile(join(buildDir, '.config'), paths.config);
  await copyFile(join(buildDir, 'System.map'), paths.systemMap);
  await copyFile(join(buildDir, 'vmlinux'), paths.vmlinux);
  // The log of the build that produced the entry travels with it: a store hit's build.log shows it.
  await copyFile(buildLog, join(tmp, 'build.log')).catch(() => undefined);
  for (const f of extras?.files ?? []) {
    const to = join(tmp, extras!.subdir, f);
    await mkdir(dirname(to), { recursive: true });
    // A file the build did not make (an object this config does not compile) is simply not kept.
    await copyFile(join(buildDir, f), to).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
  const manifest: Manifest = { key, tree: parts.tree, fragmentHash: parts.fragmentHash, toolchain: parts.toolchain, release, buildMs, storedAt: new Date().toISOString() };
  await writeFile(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  return { key, dir, ...artifactPaths(dir), tree: parts.tree, release, fromStore: false, buildMs };
}

export interface StoreEntryInfo {
  readonly key: string;
  readonly dir: string;
  readonly bytes: number;
  readonly mtimeMs: number;
}

export async function listStore(cacheDir: string): Promise<StoreEntryInfo[]> {
  const root = storeRoot(cacheDir);
  const names = await readdir(root).catch(() => [] as string[]);
  const out: StoreEntryInfo[] = [];
  for (const key of names) {
    const dir = join(root, key);
    let bytes = 0;
    for (const f of await readdir(dir, { recursive: true }).catch(() => [] as string[])) {
      const s = await stat(join(dir, f)).catch(() => null);
      if (s?.isFile()) bytes += s.size;
    }
    out.push({ key, dir, bytes, mtimeMs: (await stat(dir)).mtimeMs });
  }
  return out;
}

/**
 * A variant's selftests are those of the plain kernel of the same tree and config (the same headers and sources):
 * copied from its entry when it has them, so the variant does not build them again.
 */
export async function seedSelftests(cacheDir: string, plain: StoreKeyParts, variant: KernelArtifact): Promise<void> {
  const from = join(storeRoot(cacheDir), storeKey(plain), 'selftests');
  const to = join(variant.dir, 'selftests');
  if (from === to || !(await access(from).then(() => true, () => false)) || (await access(to).then(() => true, () => false))) return;
  await cp(from, `${to}.tmp-${process.pid}`, { recursive: true });
  await rename(`${to}.tmp-${process.pid}`, to);
}
