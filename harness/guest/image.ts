// The guest image: the base initramfs from Debian arm64 packages (cached by its inputs), the per-run overlay and the -initrd file.
import { readFileSync } from 'node:fs';
import { access, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, posix, relative } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { type AptConfig, aptConfig, aptDownload, aptUpdate } from '../host/apt.js';
import type { Context } from '../util/context.js';
import { AbortedError, ExitCode, HarnessError, UsageError } from '../util/errors.js';
import { capture, run } from '../util/exec.js';
import { sha256, sha256File, shortHash } from '../util/hash.js';
import { withLock } from '../util/lock.js';
import { projectRoot } from '../util/project.js';
import { DataReader } from '../util/validate.js';
import { type CpioEntry, newcArchive, normalizeCpioPath, withParentDirs } from './cpio.js';

/** Bump when this module or cpio.ts changes what goes into the archive: it is part of the cache key. */
const IMAGE_FORMAT = 1;
const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

export interface BaseImage {
  /** gzip-compressed newc archive. */
  readonly path: string;
  /** sha256 of the recipe, init.sh, the package versions and IMAGE_FORMAT. */
  readonly key: string;
  /** The guest's SSH host key (dropbear format), also at /etc/dropbear/dropbear_ed25519_host_key in the image. */
  readonly hostKeyPath: string;
  /** Its public half in OpenSSH one-line form, 'ssh-ed25519 AAAA...', to pin. */
  readonly hostKeyPublic: string;
  readonly packages: readonly { name: string; version: string }[];
  /** Time this call took (milliseconds on a cache hit). */
  readonly buildMs: number;
  readonly cached: boolean;
}

interface Manifest {
  readonly schema: 'sea-harness/image@1';
  readonly key: string;
  readonly format: number;
  readonly recipe: string;
  readonly packages: readonly { name: string; version: string; sha256: string }[];
  readonly hostKeyPublic: string;
  readonly sizeBytes: number;
  readonly uncompressedBytes: number;
  readonly buildMs: number;
  readonly builtAt: string;
}

interface ResolvedPackage {
  readonly name: string;
  readonly version: string;
  readonly sha256: string;
  readonly depends: readonly string[];
}

interface ElfFile {
  readonly imagePath: string;
  readonly hostPath: string;
  readonly pkg: string;
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
    throw new HarnessError(why, { stage: 'image', exitCode: ExitCode.usage, cause: err, hint: `fix ${file}` });
  }
}

export async function buildBaseImage(ctx: Context, options: { logPath?: string; recipePath?: string } = {}): Promise<BaseImage> {
  const started = Date.now();
  const recipe = loadImageRecipe(options.recipePath);
  const init = await readFile(recipe.initPath).catch((err: Error) => {
    throw new HarnessError(`${recipe.file}: cannot read its init script: ${err.message}`, { stage: 'image', exitCode: ExitCode.usage, hint: 'init names a file next to the recipe' });
  });
  const imagesDir = join(ctx.cacheDir, 'images');
  const logPath = options.logPath ?? join(imagesDir, 'build.log');
  const cfg = await aptConfig(ctx, 'guest-arm64');
  await refreshLists(ctx, cfg, logPath);
  const pkgs = await resolvePackages(ctx, cfg, recipe);
  const key = sha256(`sea-harness image format ${IMAGE_FORMAT}`, recipe.bytes, init, ...pkgs.map((p) => `${p.name}=${p.version}`));
  const dir = join(imagesDir, shortHash(key));
  const result = (m: Manifest, cached: boolean): BaseImage => ({
    path: join(dir, 'base.cpio.gz'),
    key,
    hostKeyPath: join(dir, 'host-key'),
    hostKeyPublic: m.hostKeyPublic,
    packages: m.packages.map(({ name, version }) => ({ name, version })),
    buildMs: Date.now() - started,
    cached,
  });
  const hit = await readManifest(dir, key);
  if (hit) return result(hit, true);
  await mkdir(imagesDir, { recursive: true });
  // One builder per key; the others wait and then find it cached. The rename below is what readers rely on.
  return withLock(ctx, `${dir}.lock`, 'guest image', async () => {
    const again = await readManifest(dir, key);
    if (again) return result(again, true);
    for (const stale of (await readdir(imagesDir)).filter((f) => f.startsWith(`.build-${shortHash(key)}-`))) {
      await rm(join(imagesDir, stale), { recursive: true, force: true });
    }
    const tmp = await mkdtemp(join(imagesDir, `.build-${shortHash(key)}-`));
    const dropTmp = ctx.cleanup.defer('remove unfinished guest image', () => rm(tmp, { recursive: true, force: true }));
    try {
      ctx.log.info(`guest image: building ${shortHash(key)} from ${pkgs.map((p) => `${p.name} ${p.version}`).join(', ')}`);
      const manifest = await buildInto(ctx, tmp, { recipe, init, cfg, pkgs, key, logPath, started });
      await rm(dir, { recursive: true, force: true }); // only a damaged leftover can be here: readManifest said no
      await rename(tmp, dir);
      return result(manifest, false);
    } finally {
      await dropTmp();
    }
  });
}

interface BuildInputs {
  readonly recipe: ImageRecipe;
  readonly init: Buffer;
  readonly cfg: AptConfig;
  readonly pkgs: readonly ResolvedPackage[];
  readonly key: string;
  readonly logPath: string;
  readonly started: number;
}

async function buildInto(ctx: Context, out: string, b: BuildInputs): Promise<Manifest> {
  const debs = await fetchDebs(ctx, b.cfg, b.pkgs, b.logPath);
  const staging = join(out, 'staging');
  for (const p of b.pkgs) {
    // dpkg-deb -x only unpacks: no maintainer scripts, nothing arm64 runs on the host. It makes no parents.
    await mkdir(join(staging, p.name), { recursive: true });
    await run(ctx, 'dpkg-deb', ['-x', debs.get(p.name)!, join(staging, p.name)], {
      stage: 'image',
      logPath: b.logPath,
      timeoutMs: 120_000,
      hint: `the cached ${basename(debs.get(p.name)!)} may be damaged: delete it and retry`,
    });
  }
  const { entries: taken, elfs } = await takeFiles(b.recipe, staging);
  await checkSharedLibraries(ctx, b.recipe, elfs, new Set(taken.keys()), b.pkgs, staging);

  const hostKeyPath = join(out, 'host-key');
  await run(ctx, 'dropbearkey', ['-t', 'ed25519', '-f', hostKeyPath], {
    stage: 'image',
    logPath: b.logPath,
    timeoutMs: 60_000,
    hint: "install dropbear-bin on the host: its x86 dropbearkey makes the guest's SSH host key",
  });
  const hostKeyPublic = await publicHostKey(ctx, hostKeyPath);
  await writeFile(join(out, 'host-key.pub'), `${hostKeyPublic}\n`);

  const entries = withParentDirs(
    [
      ...[...b.recipe.directories].map(([path, mode]): CpioEntry => ({ type: 'dir', path, mode })),
      ...taken.values(),
      ...b.recipe.entries,
      { type: 'file', path: 'init', mode: 0o755, data: b.init },
      { type: 'file', path: b.recipe.hostKey, mode: 0o600, data: await readFile(hostKeyPath) },
    ],
    b.recipe.directories,
  );
  const archive = newcArchive(entries);
  const compressed = await promisify(gzip)(archive, { level: 9 });
  await writeFile(join(out, 'base.cpio.gz'), compressed);
  await rm(staging, { recursive: true, force: true });
  const manifest: Manifest = {
    schema: 'sea-harness/image@1',
    key: b.key,
    format: IMAGE_FORMAT,
    recipe: b.recipe.file,
    packages: b.pkgs.map(({ name, version, sha256 }) => ({ name, version, sha256 })),
    hostKeyPublic,
    sizeBytes: compressed.length,
    uncompressedBytes: archive.length,
    buildMs: Date.now() - b.started,
    builtAt: new Date().toISOString(),
  };
  await writeFile(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

async function readManifest(dir: string, key: string): Promise<Manifest | null> {
  try {
    const m = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    if (m.schema !== 'sea-harness/image@1' || m.key !== key) return null;
    await Promise.all(['base.cpio.gz', 'host-key'].map((f) => access(join(dir, f))));
    return m;
  } catch {
    return null;
  }
}

/** The OpenSSH one-line public key ('ssh-ed25519 AAAA...', no comment) of a dropbear private key. */
export async function publicHostKey(ctx: Context, keyPath: string): Promise<string> {
  const out = await capture(ctx, 'dropbearkey', ['-y', '-f', keyPath], { stage: 'image', timeoutMs: 60_000 });
  const m = /^(ssh-ed25519 [A-Za-z0-9+/]+=*)/m.exec(out);
  if (!m) throw new HarnessError(`dropbearkey -y printed no ssh-ed25519 key for ${keyPath}`, { stage: 'image', outputTail: out });
  return m[1]!;
}

/** apt-get update, under a lock (two runs must not update one lists directory at once); stale lists beat none. */
async function refreshLists(ctx: Context, cfg: AptConfig, logPath: string): Promise<void> {
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
async function resolvePackages(ctx: Context, cfg: AptConfig, recipe: ImageRecipe): Promise<ResolvedPackage[]> {
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

async function showPackages(ctx: Context, cfg: AptConfig, recipe: ImageRecipe, names: readonly string[]): Promise<ResolvedPackage[]> {
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
    throw new HarnessError(`${recipe.file}: no arm64 package ${missing.join(', ')} in Debian bookworm`, {
      stage: 'image',
      exitCode: ExitCode.usage,
      command: r.command,
      outputTail: r.stderr,
      hint: `check the names in ${recipe.file} (https://packages.debian.org/bookworm/arm64/${missing[0]})`,
    });
  }
  return names.map((n) => found.get(n)!);
}

/** The .debs under cacheDir/debs/guest-arm64, checked against the archive's SHA256; missing ones downloaded. */
async function fetchDebs(ctx: Context, cfg: AptConfig, pkgs: readonly ResolvedPackage[], logPath: string): Promise<Map<string, string>> {
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
async function takeFiles(recipe: ImageRecipe, staging: string): Promise<{ entries: Map<string, CpioEntry>; elfs: ElfFile[] }> {
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
      throw new HarnessError(`${recipe.file}: package ${pkg} has no ${what}`, {
        stage: 'image',
        exitCode: ExitCode.usage,
        hint: similar.length ? `${pkg} has: ${similar.join(', ')}` : `list the package's files with dpkg-deb -c`,
      });
    }
    if (st.isSymbolicLink()) {
      const target = await readlink(host);
      entries.set(path, { type: 'symlink', path, target });
      const resolved = posix.normalize(target.startsWith('/') ? target.slice(1) : posix.join(posix.dirname(path), target));
      if (resolved.startsWith('..') || depth > 8) {
        throw new HarnessError(`${recipe.file}: symlink ${path} in ${pkg} points outside the package or loops`, { stage: 'image', exitCode: ExitCode.usage });
      }
      return take(pkg, resolved, path, depth + 1);
    }
    if (!st.isFile()) throw new HarnessError(`${recipe.file}: ${what} in ${pkg} is not a file; take lists files`, { stage: 'image', exitCode: ExitCode.usage });
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
async function checkSharedLibraries(
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
    throw new HarnessError(`${recipe.file}: the guest image would not run: ${problems.join('; ')}`, {
      stage: 'image',
      exitCode: ExitCode.usage,
      hint: [...hints].join('; '),
    });
  }
}

/** What to change for a missing library: a path to take from a recipe package, else a package to add. */
async function providerHint(ctx: Context, recipe: ImageRecipe, lib: string, neededBy: string, pkgs: readonly ResolvedPackage[], staging: string): Promise<string> {
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

export interface OverlayFile {
  /** Absolute path in the guest, e.g. /opt/sea/arm64/sea_to_user. */
  readonly guestPath: string;
  readonly hostPath: string;
  readonly mode: number;
}

/**
 * The per-run archive (uncompressed newc): /root/.ssh/authorized_keys (0600, directory 0700) and the given
 * files, so the base image never changes for a new SSH key or new case binaries.
 */
export async function buildOverlay(
  ctx: Context,
  options: { authorizedKeys: readonly string[]; files: readonly OverlayFile[]; outPath: string },
): Promise<string> {
  ctx.signal.throwIfAborted();
  const bad = (message: string, hint: string): never => {
    throw new HarnessError(message, { stage: 'image', hint });
  };
  if (options.authorizedKeys.length === 0) bad('no authorized key for the guest: nobody could log in', 'pass the public half of the per-run SSH key');
  for (const k of options.authorizedKeys) {
    if (k.includes('\n') || !/(^|\s)(ssh-|ecdsa-|sk-)\S+ [A-Za-z0-9+/]+=*/.test(k)) {
      bad(`not an OpenSSH public key line: ${JSON.stringify(k.slice(0, 80))}`, "expected 'ssh-ed25519 AAAA... [comment]'");
    }
  }
  const entries: CpioEntry[] = [
    { type: 'dir', path: 'root/.ssh', mode: 0o700 },
    { type: 'file', path: 'root/.ssh/authorized_keys', mode: 0o600, data: Buffer.from(options.authorizedKeys.map((k) => `${k.trim()}\n`).join('')) },
  ];
  for (const f of options.files) {
    if (!f.guestPath.startsWith('/')) bad(`guest path ${f.guestPath} is not absolute`, 'give files their absolute path in the guest, e.g. /opt/sea/...');
    if (!Number.isInteger(f.mode) || f.mode < 0 || f.mode > 0o7777) bad(`mode ${f.mode} of ${f.guestPath} is not a permission mode`, 'use e.g. 0o755');
    const data = await readFile(f.hostPath).catch((err: Error) => bad(`cannot read ${f.hostPath} for ${f.guestPath}: ${err.message}`, 'was the file built?'));
    entries.push({ type: 'file', path: normalizeCpioPath(f.guestPath), mode: f.mode, data });
  }
  // Parents take the base image's modes: re-listing a directory in an archive re-applies its mode (/tmp stays 1777).
  const archive = newcArchive(withParentDirs(entries, loadImageRecipe().directories));
  await writeAtomically(options.outPath, archive);
  return options.outPath;
}

/**
 * The single file for QEMU's -initrd: the base (gzip) then the overlay (uncompressed). The kernel unpacks
 * concatenated members (CONFIG_RD_GZIP for the first), but init/initramfs.c only recognises an uncompressed
 * member at a 4-byte aligned offset of the whole buffer, and skips zero bytes: so zeros pad the base to 4.
 */
export async function assembleInitrd(base: BaseImage, overlayPath: string, outPath: string): Promise<string> {
  const [gz, overlay] = await Promise.all([readFile(base.path), readFile(overlayPath)]);
  if (overlay.toString('ascii', 0, 6) !== '070701') {
    throw new HarnessError(`${overlayPath} is not an uncompressed newc archive`, { stage: 'image', hint: 'build it with buildOverlay' });
  }
  await writeAtomically(outPath, Buffer.concat([gz, Buffer.alloc((4 - (gz.length % 4)) % 4), overlay]));
  return outPath;
}

async function writeAtomically(path: string, data: Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}
