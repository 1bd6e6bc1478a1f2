// The content-addressed artifact store: kernel builds keyed by source tree, config and toolchain.
import { copyFile, mkdir, readFile, rename, rm, writeFile, access, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256, shortHash } from '../util/hash.js';

/** Bump when the store layout changes: old entries are then simply never hit. */
const STORE_FORMAT = 'store-v1';

export interface StoreKeyParts {
  readonly tree: string;
  readonly fragmentHash: string;
  readonly toolchain: string;
}

export function storeKey(parts: StoreKeyParts): string {
  return shortHash(sha256(STORE_FORMAT, parts.tree, parts.fragmentHash, parts.toolchain)) + shortHash(sha256(parts.tree)).slice(0, 8);
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
export async function storeKernel(cacheDir: string, parts: StoreKeyParts, buildDir: string, release: string | null, buildMs: number, buildLog: string): Promise<KernelArtifact> {
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
