// The guest image's Debian arm64 packages: resolved, fetched and checked against the archive, unpacked,
// and their shared libraries checked with the cross readelf (nothing arm64 ever runs on the host).
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rename, rm, stat } from 'node:fs/promises';
import { basename, join, posix } from 'node:path';
import { type AptConfig, aptDownload, aptUpdate } from '../host/apt.js';
import type { Context } from '../util/context.js';
import { AbortedError, ExitCode, HarnessError, UsageError } from '../util/errors.js';
import { capture, run } from '../util/exec.js';
import { sha256, sha256File } from '../util/hash.js';
import { withLock } from '../util/lock.js';
import { type CpioEntry, normalizeCpioPath } from './cpio.js';
import { IMAGE_FORMAT, writeAtomically, type ImageRecipe } from './image-recipe.js';

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

export interface ResolvedPackage {
  readonly name: string;
  readonly version: string;
  readonly sha256: string;
  readonly depends: readonly string[];
}

export interface ElfFile {
  readonly imagePath: string;
  readonly hostPath: string;
  readonly pkg: string;
}


/** apt-get update, under a lock (two runs must not update one lists directory at once); stale lists beat none. */
export async function refreshLists(ctx: Context, cfg: AptConfig, logPath: string): Promise<void> {
  await withLock(ctx, join(cfg.dir, 'update.lock'), 'arm64 package lists', async () => {
    try {
      await aptUpdate(ctx, cfg, logPath);
    } catch (err) {
      const lists = await readdir(join(cfg.dir, 'lists')).catch(() => [] as string[]);
      if (err instanceof AbortedError || !lists.some((f) => f.includes('_Packages'))) throw err;
      ctx.log.warn(`guest image: could not refresh the arm64 package lists (${(err as Error).message}); using the previous ones`);
    }
  });
}

/**
 * The candidate version, SHA256 and dependencies of every recipe package, from one `apt-cache show`, remembered
 * for as long as the package lists are the same files: a cache hit then runs no apt at all.
 */
export async function resolvePackages(ctx: Context, cfg: AptConfig, recipe: ImageRecipe): Promise<ResolvedPackage[]> {
  const names = recipe.packages.map((p) => p.name);
  const listsDir = join(cfg.dir, 'lists');
  const lists = (await readdir(listsDir)).filter((f) => f.includes('_Packages') || f.endsWith('Release')).sort();
  const stats = await Promise.all(lists.map(async (f) => stat(join(listsDir, f))));
  const signature = sha256(JSON.stringify([IMAGE_FORMAT, names, lists.map((f, i) => [f, stats[i]!.size, stats[i]!.mtimeMs])]));
  const memo = join(cfg.dir, 'resolved.json');
  const known = await readFile(memo, 'utf8').then((t) => JSON.parse(t) as { signature: string; packages: ResolvedPackage[] }, () => null);
  if (known?.signature === signature) return known.packages;
  const resolved = await showPackages(ctx, cfg, recipe, names);
  await writeAtomically(memo, Buffer.from(JSON.stringify({ signature, packages: resolved })));
  return resolved;
}

export async function showPackages(ctx: Context, cfg: AptConfig, recipe: ImageRecipe, names: readonly string[]): Promise<ResolvedPackage[]> {
  const r = await run(ctx, 'apt-cache', [...cfg.options, 'show', '--no-all-versions', ...names], { stage: 'image', reject: false, timeoutMs: 120_000 });
  const found = new Map<string, ResolvedPackage>();
  for (const para of r.stdout.split(/\n\s*\n/)) {
    const field = (f: string) => new RegExp(`^${f}: (.*)$`, 'm').exec(para)?.[1]?.trim() ?? '';
    const name = field('Package');
    if (!name || found.has(name)) continue;
    const depends = [field('Pre-Depends'), field('Depends')]
      .join(',')
      .split(/[,|]/)
      .map((d) => d.trim().split(/[\s(:]/)[0] ?? '')
      .filter(Boolean);
    found.set(name, { name, version: field('Version'), sha256: field('SHA256'), depends });
  }
  const missing = names.filter((n) => !found.get(n)?.version || !found.get(n)?.sha256);
  if (missing.length > 0) {
    throw new UsageError(`${recipe.file}: no arm64 package ${missing.join(', ')} in Debian bookworm`, undefined, {
      stage: 'image',
      command: r.command,
      outputTail: r.stderr,
      hint: `check the names in ${recipe.file} (https://packages.debian.org/bookworm/arm64/${missing[0]})`,
    });
  }
  return names.map((n) => found.get(n)!);
}

/** The .debs under cacheDir/debs/guest-arm64, checked against the archive's SHA256; missing ones downloaded. */
export async function fetchDebs(ctx: Context, cfg: AptConfig, pkgs: readonly ResolvedPackage[], logPath: string): Promise<Map<string, string>> {
  const dir = join(ctx.cacheDir, 'debs', 'guest-arm64');
  await mkdir(dir, { recursive: true });
  const paths = new Map(pkgs.map((p) => [p.name, join(dir, `${p.name}_${p.version.replace(/:/g, '%3a')}_arm64.deb`)]));
  const missing: ResolvedPackage[] = [];
  for (const p of pkgs) if ((await sha256File(paths.get(p.name)!).catch(() => null)) !== p.sha256) missing.push(p);
  if (missing.length === 0) return paths;
  ctx.log.info(`guest image: downloading ${missing.map((p) => p.name).join(', ')} (arm64)`);
  // Download into a private directory, then rename: a concurrent run never sees half a .deb.
  const partial = await mkdtemp(join(dir, '.download-'));
  const drop = ctx.cleanup.defer('remove partial .deb download', () => rm(partial, { recursive: true, force: true }));
  try {
    await aptDownload(ctx, cfg, missing.map((p) => `${p.name}=${p.version}`), partial, logPath);
    const got = await readdir(partial);
    for (const p of missing) {
      const file = got.find((f) => f.startsWith(`${p.name}_`) && f.endsWith('.deb'));
      const sum = file ? await sha256File(join(partial, file)) : null;
      if (sum !== p.sha256) {
        throw new HarnessError(`downloaded ${p.name} ${p.version} ${file ? 'does not match the SHA256 of the package lists' : 'is missing'}`, {
          stage: 'image',
          logPath,
          hint: 'a proxy or mirror may be serving stale files: retry, or delete the lists under the apt cache directory',
        });
      }
      await rename(join(partial, file!), paths.get(p.name)!);
    }
  } finally {
    await drop();
  }
  return paths;
}

/** Copy the recipe's `take` paths out of the unpacked packages, following symlinks to their targets. */
export async function takeFiles(recipe: ImageRecipe, staging: string): Promise<{ entries: Map<string, CpioEntry>; elfs: ElfFile[] }> {
  const entries = new Map<string, CpioEntry>();
  const elfs: ElfFile[] = [];
  const take = async (pkg: string, path: string, via: string | null, depth: number): Promise<void> => {
    if (entries.has(path)) return;
    const host = join(staging, pkg, path);
    const st = await lstat(host).catch(() => null);
    const what = via ? `${path} (the target of ${via})` : path;
    if (!st) {
      // Suggest the files next to the missing one, else those with the same stem (a new soname version).
      const all = (await readdir(join(staging, pkg), { recursive: true })).map(String);
      const stem = basename(path).split('.')[0] ?? '';
      const near = all.filter((f) => posix.dirname(f) === posix.dirname(path));
      const similar = (near.length > 0 ? near : all.filter((f) => basename(f).startsWith(stem))).slice(0, 12);
      throw new UsageError(`${recipe.file}: package ${pkg} has no ${what}`, undefined, {
        stage: 'image',
        hint: similar.length ? `${pkg} has: ${similar.join(', ')}` : `list the package's files with dpkg-deb -c`,
      });
    }
    if (st.isSymbolicLink()) {
      const target = await readlink(host);
      entries.set(path, { type: 'symlink', path, target });
      const resolved = posix.normalize(target.startsWith('/') ? target.slice(1) : posix.join(posix.dirname(path), target));
      if (resolved.startsWith('..') || depth > 8) {
        throw new UsageError(`${recipe.file}: symlink ${path} in ${pkg} points outside the package or loops`, undefined, { stage: 'image' });
      }
      return take(pkg, resolved, path, depth + 1);
    }
    if (!st.isFile()) throw new UsageError(`${recipe.file}: ${what} in ${pkg} is not a file; take lists files`, undefined, { stage: 'image' });
    const data = await readFile(host);
    entries.set(path, { type: 'file', path, mode: st.mode & 0o7777, data });
    if (data.subarray(0, 4).equals(ELF_MAGIC)) elfs.push({ imagePath: path, hostPath: host, pkg });
  };
  for (const p of recipe.packages) for (const path of p.take) await take(p.name, path, null, 0);
  return { entries, elfs };
}

/**
 * Every ELF file must be AArch64 and find its loader and each DT_NEEDED library in the image's library path,
 * checked with the cross readelf because nothing arm64 can run here; a miss names the library and a package.
 */
export async function checkSharedLibraries(
  ctx: Context,
  recipe: ImageRecipe,
  elfs: readonly ElfFile[],
  inImage: ReadonlySet<string>,
  pkgs: readonly ResolvedPackage[],
  staging: string,
): Promise<void> {
  const problems: string[] = [];
  const hints = new Set<string>();
  for (const f of elfs) {
    const out = await capture(ctx, 'aarch64-linux-gnu-readelf', ['-h', '-l', '-d', '-W', f.hostPath], {
      stage: 'image',
      timeoutMs: 60_000,
      hint: 'install binutils-aarch64-linux-gnu (the cross readelf reads the arm64 binaries)',
    });
    const who = `${f.imagePath} (from ${f.pkg})`;
    const machine = /^\s*Machine:\s*(.+)$/m.exec(out)?.[1]?.trim() ?? 'an unknown machine';
    if (machine !== 'AArch64') problems.push(`${who} is built for ${machine}, not AArch64`);
    const interp = /\[Requesting program interpreter: ([^\]]+)\]/.exec(out)?.[1];
    if (interp && !inImage.has(normalizeCpioPath(interp))) {
      problems.push(`${who} needs its loader ${interp}, which is not in the image`);
      hints.add(await providerHint(ctx, recipe, basename(interp), f.pkg, pkgs, staging));
    }
    for (const [, lib] of out.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)) {
      if (recipe.libraryPath.some((d) => inImage.has(`${d}/${lib}`))) continue;
      problems.push(`${who} needs ${lib}, which is not in the image`);
      hints.add(await providerHint(ctx, recipe, lib!, f.pkg, pkgs, staging));
    }
  }
  if (problems.length > 0) {
    throw new UsageError(`${recipe.file}: the guest image would not run: ${problems.join('; ')}`, undefined, {
      stage: 'image',
      hint: [...hints].join('; '),
    });
  }
}

/** What to change for a missing library: a path to take from a recipe package, else a package to add. */
export async function providerHint(ctx: Context, recipe: ImageRecipe, lib: string, neededBy: string, pkgs: readonly ResolvedPackage[], staging: string): Promise<string> {
  for (const p of recipe.packages) {
    for (const d of recipe.libraryPath) {
      if (await lstat(join(staging, p.name, d, lib)).catch(() => null)) return `add "${d}/${lib}" to the take list of ${p.name} in ${recipe.file}`;
    }
  }
  // Multiarch library packages have the same name and layout on every architecture, so the host's dpkg knows them.
  const owners = await run(ctx, 'dpkg', ['-S', `*/${lib}`], { stage: 'image', reject: false, timeoutMs: 60_000 }).catch(() => null);
  for (const line of owners?.exitCode === 0 ? owners.stdout.split('\n') : []) {
    const m = /^([^:,\s]+)(?::\S+)?: \/(.*)$/.exec(line);
    if (m && /-linux-gnu\//.test(m[2]!)) {
      const take = m[2]!.replace(/\/[^/]+-linux-gnu\//, '/aarch64-linux-gnu/');
      return `add { "name": "${m[1]}", "take": ["${take}"] } to the packages of ${recipe.file} (it ships ${lib})`;
    }
  }
  const inRecipe = new Set(recipe.packages.map((p) => p.name));
  const lacking = (pkgs.find((p) => p.name === neededBy)?.depends ?? []).filter((d) => !inRecipe.has(d));
  if (lacking.length > 0) return `add the package that ships ${lib} to ${recipe.file}: ${neededBy} depends on ${lacking.join(', ')}, which it lacks`;
  return `add the package that ships ${lib} to ${recipe.file} (https://packages.debian.org/search?searchon=contents&keywords=${lib}&mode=filename&suite=bookworm&arch=arm64)`;
}

