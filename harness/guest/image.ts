// The guest image: the base initramfs from Debian arm64 packages (cached by its inputs), the per-run overlay and the -initrd file.
import { access, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { type AptConfig, aptConfig } from '../host/apt.js';
import type { Context } from '../util/context.js';
import { ExitCode, HarnessError, UsageError } from '../util/errors.js';
import { capture, run } from '../util/exec.js';
import { sha256, shortHash } from '../util/hash.js';
import { withLock } from '../util/lock.js';
import { formatElapsed, startHeartbeat } from '../util/progress.js';
import { type CpioEntry, newcArchive, normalizeCpioPath, withParentDirs } from './cpio.js';
import { IMAGE_FORMAT, loadImageRecipe, writeAtomically, type ImageRecipe } from './image-recipe.js';
import { checkSharedLibraries, fetchDebs, refreshLists, resolvePackages, takeFiles, type ResolvedPackage } from './image-packages.js';


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


export async function buildBaseImage(ctx: Context, options: { logPath?: string; recipePath?: string } = {}): Promise<BaseImage> {
  // A cold image fetches packages and waits for locks another run may hold: a live line, or a log line a minute.
  let doing = 'refreshing the arm64 package lists';
  const stop = startHeartbeat(ctx.log, (ms) => `guest image: ${doing}, ${formatElapsed(ms)}`);
  try {
    return await baseImage(ctx, options, (what) => (doing = what));
  } finally {
    stop();
  }
}

/** What the image build is doing now, for the heartbeat line. */
type Doing = (what: string) => void;

async function baseImage(ctx: Context, options: { logPath?: string; recipePath?: string }, doing: Doing): Promise<BaseImage> {
  const started = Date.now();
  const recipe = loadImageRecipe(options.recipePath);
  const init = await readFile(recipe.initPath).catch((err: Error) => {
    throw new UsageError(`${recipe.file}: cannot read its init script: ${err.message}`, undefined, { stage: 'image', hint: 'init names a file next to the recipe' });
  });
  const imagesDir = join(ctx.cacheDir, 'images');
  const logPath = options.logPath ?? join(imagesDir, 'build.log');
  const cfg = await aptConfig(ctx, 'guest-arm64');
  await refreshLists(ctx, cfg, logPath);
  doing('resolving packages');
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
  doing(`waiting for the guest image ${shortHash(key)} lock`);
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
      const manifest = await buildInto(ctx, tmp, { recipe, init, cfg, pkgs, key, logPath, started, doing });
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
  readonly doing: Doing;
}

async function buildInto(ctx: Context, out: string, b: BuildInputs): Promise<Manifest> {
  b.doing('fetching packages');
  const debs = await fetchDebs(ctx, b.cfg, b.pkgs, b.logPath);
  const staging = join(out, 'staging');
  for (const p of b.pkgs) {
    b.doing(`unpacking ${p.name}`);
    // dpkg-deb -x only unpacks: no maintainer scripts, nothing arm64 runs on the host. It makes no parents.
    await mkdir(join(staging, p.name), { recursive: true });
    await run(ctx, 'dpkg-deb', ['-x', debs.get(p.name)!, join(staging, p.name)], {
      stage: 'image',
      logPath: b.logPath,
      timeoutMs: 120_000,
      hint: `the cached ${basename(debs.get(p.name)!)} may be damaged: delete it and retry`,
    });
  }
  b.doing("taking the recipe's files");
  const { entries: taken, elfs } = await takeFiles(b.recipe, staging);
  b.doing('checking shared libraries');
  await checkSharedLibraries(ctx, b.recipe, elfs, new Set(taken.keys()), b.pkgs, staging);

  b.doing('making the SSH host key');
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
  b.doing('compressing the archive');
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


