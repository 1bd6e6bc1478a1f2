// The QEMU build stage: upstream source from Debian's archive plus qemu/patches, built once into the artifact
// store (keyed by source, patches, flags and compiler). One work tree and one build directory are reused, so a
// changed patch is an incremental ninja run, not a cold build.
import { createWriteStream } from 'node:fs';
import { access, copyFile, mkdir, readFile, rename, rm, writeFile, chmod } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Context } from '../util/context.js';
import { run } from '../util/exec.js';
import { HarnessError, tailLines } from '../util/errors.js';
import { withLock } from '../util/lock.js';
import { sha256File } from '../util/hash.js';
import { formatElapsed, startHeartbeat } from '../util/progress.js';
import type { QemuBuildRecord } from '../model/result.js';
import { jobs } from '../kernel/make.js';
import { loadQemuSpec, qemuStoreKey, type QemuSpec } from './spec.js';

/** A build of the project's QEMU: what names it (model/result.ts, also its provenance) and where it is. */
export interface QemuBuild extends QemuBuildRecord {
  readonly binary: string;
  readonly fromStore: boolean;
  readonly buildMs: number;
  /** ninja steps run by this build (0 on a store hit): the proof that a rebuild was incremental. */
  readonly steps: number;
  readonly dir: string;
}

type Manifest = Omit<QemuBuild, 'binary' | 'fromStore' | 'steps' | 'dir'> & { storedAt: string };

/** QEMU's configure must run with Debian's python3 (it imports the system's meson); a pyenv shim has none. */
const PYTHON = '/usr/bin/python3';
const BINARY = 'qemu-system-aarch64';

export function qemuStoreDir(cacheDir: string, key: string): string {
  return join(cacheDir, 'qemu-store', key);
}

function qemuWork(cacheDir: string) {
  const root = join(cacheDir, 'qemu');
  return { root, src: join(root, 'src'), build: join(root, 'build'), logs: join(root, 'logs'), lock: join(root, 'lock') };
}

const exists = (p: string) => access(p).then(() => true, () => false);

let compilerId: Promise<string> | null = null;
/** The host C compiler QEMU's configure picks (`cc`), as its first --version line. */
export function hostCompiler(ctx: Context): Promise<string> {
  compilerId ??= run(ctx, 'cc', ['--version'], { stage: 'qemu', timeoutMs: 20_000, hint: 'install gcc (the host compiler QEMU is built with)' }).then((r) => r.stdout.split('\n')[0]!.trim());
  return compilerId;
}

export async function lookupQemu(cacheDir: string, key: string): Promise<QemuBuild | null> {
  const dir = qemuStoreDir(cacheDir, key);
  const text = await readFile(join(dir, 'manifest.json'), 'utf8').catch(() => null);
  if (!text || !(await exists(join(dir, BINARY)))) return null;
  const m = JSON.parse(text) as Manifest;
  return { ...m, binary: join(dir, BINARY), fromStore: true, buildMs: 0, steps: 0, dir };
}

/** The project's QEMU: a store hit, or a build under the QEMU lock (a second run waits, then hits). */
export async function prepareQemu(ctx: Context, spec: QemuSpec = loadQemuSpec()): Promise<QemuBuild> {
  const key = qemuStoreKey(spec, await hostCompiler(ctx));
  const hit = await lookupQemu(ctx.cacheDir, key);
  if (hit) {
    ctx.log.info(`qemu: ${BINARY} ${hit.version} + ${hit.patches.length} patches from the artifact store (${key})`);
    return hit;
  }
  const w = qemuWork(ctx.cacheDir);
  await mkdir(w.logs, { recursive: true });
  // A cold build takes minutes (and so does waiting for another run's): a live line, or a log line a minute.
  let doing = 'waiting for the QEMU build lock';
  const stop = startHeartbeat(ctx.log, (ms) => `qemu: ${doing}, ${formatElapsed(ms)}`);
  try {
    return await withLock(ctx, w.lock, 'QEMU build', async () => (await lookupQemu(ctx.cacheDir, key)) ?? buildQemu(ctx, spec, key, (d) => (doing = d)));
  } finally {
    stop();
  }
}

/** What the build is doing now, for the heartbeat line. */
type Doing = (what: string) => void;

async function buildQemu(ctx: Context, spec: QemuSpec, key: string, doing: Doing): Promise<QemuBuild> {
  const w = qemuWork(ctx.cacheDir);
  const logPath = join(w.logs, `build-${key}.log`);
  await writeFile(logPath, `# sea-harness QEMU build ${key}: QEMU ${spec.version} + ${spec.patches.length} patches\n`);
  const started = Date.now();
  const tarball = await fetchTarball(ctx, spec, logPath, doing);
  await prepareTree(ctx, spec, key, tarball, w.src, logPath, doing);
  doing('configure');
  await configure(ctx, spec, w.src, w.build, logPath);
  const steps = await ninja(ctx, w.build, logPath, started, doing);
  doing('storing the build');
  const buildMs = Date.now() - started;
  return storeQemu(ctx, spec, key, join(w.build, BINARY), logPath, buildMs, steps);
}

/** Where the orig tarball is kept once downloaded (beside the work tree). */
export function qemuTarballPath(cacheDir: string, spec: QemuSpec): string {
  return join(qemuWork(cacheDir).root, basename(new URL(spec.url).pathname));
}

/** The orig tarball, downloaded once and checked against the pinned hash. */
async function fetchTarball(ctx: Context, spec: QemuSpec, logPath: string, doing: Doing): Promise<string> {
  const path = qemuTarballPath(ctx.cacheDir, spec);
  doing(`checking ${basename(path)}`);
  if ((await exists(path)) && (await sha256File(path)) === spec.sha256) return path;
  ctx.log.info(`qemu: downloading ${spec.url}`);
  const part = `${path}.part`;
  try {
    const res = await fetch(spec.url, { signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(20 * 60_000)]) });
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    const size = Number(res.headers.get('content-length'));
    const of = size > 0 ? ` of ${megabytes(size)}` : '';
    let got = 0;
    doing(`downloading ${basename(path)}`);
    await pipeline(
      Readable.fromWeb(res.body as import('node:stream/web').ReadableStream),
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          got += chunk.length;
          doing(`downloading ${basename(path)}: ${megabytes(got)}${of}`);
          yield chunk;
        }
      },
      createWriteStream(part),
    );
  } catch (err) {
    throw new HarnessError(`cannot download QEMU's source ${spec.url}: ${(err as Error).message}`, { stage: 'qemu', cause: err, logPath, hint: 'check that the Debian archive is reachable; or give a QEMU with EINJ support through --qemu PATH' });
  }
  const got = await sha256File(part);
  if (got !== spec.sha256) {
    throw new HarnessError(`${spec.url} has sha256 ${got}, but qemu/source.json pins ${spec.sha256}`, {
      stage: 'qemu',
      logPath,
      hint: `the archive now serves another file under that name (kept as ${part}): pin the new tarball in qemu/source.json after checking it, and check that qemu/patches still apply`,
    });
  }
  await rename(part, path);
  return path;
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

function git(ctx: Context, src: string, args: readonly string[], logPath: string, options: { reject?: boolean; input?: string } = {}) {
  return run(ctx, 'git', ['-C', src, '-c', 'user.name=sea-harness', '-c', 'user.email=sea-harness@localhost', ...args], {
    stage: 'qemu',
    logPath,
    reject: options.reject ?? true,
    ...(options.input !== undefined ? { input: options.input } : {}),
    timeoutMs: 20 * 60_000,
    env: { GIT_AUTHOR_DATE: '2000-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2000-01-01T00:00:00Z' },
  });
}

/**
 * The work tree: the tarball imported once as a git commit, then the patches applied with `git am`. Only the
 * files that differ are rewritten, so ninja rebuilds only what the patches touch.
 */
async function prepareTree(ctx: Context, spec: QemuSpec, key: string, tarball: string, src: string, logPath: string, doing: Doing): Promise<void> {
  const baseRef = `refs/sea/qemu/${spec.sha256.slice(0, 16)}`;
  const haveBase = (await exists(join(src, '.git'))) && (await git(ctx, src, ['rev-parse', '-q', '--verify', `${baseRef}^{commit}`], logPath, { reject: false })).exitCode === 0;
  if (!haveBase) {
    ctx.log.info(`qemu: unpacking ${basename(tarball)}`);
    doing(`unpacking ${basename(tarball)}`);
    await rm(src, { recursive: true, force: true });
    await mkdir(src, { recursive: true });
    await run(ctx, 'tar', ['-xJf', tarball, '-C', src, '--strip-components=1', '--no-same-owner'], { stage: 'qemu', logPath, timeoutMs: 10 * 60_000 });
    await addFirmwarePlaceholders(src);
    await git(ctx, src, ['init', '-q'], logPath);
    await git(ctx, src, ['add', '-A', '-f', '.'], logPath);
    await git(ctx, src, ['commit', '-q', '-m', `QEMU ${spec.version} (${basename(tarball)}, sha256 ${spec.sha256})`], logPath);
    await git(ctx, src, ['update-ref', baseRef, 'HEAD'], logPath);
  }
  const marker = join(src, '.git', 'sea-applied');
  if ((await readFile(marker, 'utf8').catch(() => '')) === key) return;
  doing(`applying ${spec.patches.length} patches`);
  await git(ctx, src, ['am', '--abort'], logPath, { reject: false });
  await git(ctx, src, ['checkout', '-q', '-f', '--detach', baseRef], logPath);
  await git(ctx, src, ['clean', '-q', '-f', '-d'], logPath);
  for (const p of spec.patches) {
    const r = await git(ctx, src, ['am', '-q', '--committer-date-is-author-date'], logPath, { reject: false, input: p.text });
    if (r.exitCode !== 0) {
      await git(ctx, src, ['am', '--abort'], logPath, { reject: false });
      await rm(marker, { force: true });
      throw new HarnessError(`${p.file} does not apply to QEMU ${spec.version}`, { stage: 'qemu', command: ['git', 'am', p.file], outputTail: tailLines(`${r.stdout}${r.stderr}`, 15), logPath, hint: 'rebase the patch onto the QEMU version that qemu/source.json pins' });
    }
  }
  await writeFile(marker, key);
}

/** What `bzip2 -c </dev/null` writes: a valid, empty bzip2 stream. */
const EMPTY_BZIP2 = Buffer.from([0x42, 0x5a, 0x68, 0x39, 0x17, 0x72, 0x45, 0x38, 0x50, 0x90, 0, 0, 0, 0]);

/**
 * The `+ds` tarball leaves out the prebuilt EDK2 images, which pc-bios/meson.build unpacks for the arm and x86
 * targets whenever bzip2 is found. The harness passes -bios itself, so empty stand-ins are enough.
 */
export async function addFirmwarePlaceholders(src: string): Promise<void> {
  const mesonBuild = await readFile(join(src, 'pc-bios', 'meson.build'), 'utf8');
  const names = [...new Set(mesonBuild.match(/'edk2-[\w-]+\.fd'/g) ?? [])].map((n) => n.slice(1, -1));
  for (const n of names) {
    const file = join(src, 'pc-bios', `${n}.bz2`);
    if (await exists(file)) continue;
    await writeFile(file, EMPTY_BZIP2);
  }
}

async function configure(ctx: Context, spec: QemuSpec, src: string, build: string, logPath: string): Promise<void> {
  const flags = [`--python=${PYTHON}`, ...spec.configure];
  const stamp = join(build, 'sea-configure.json');
  if ((await exists(join(build, 'build.ninja'))) && (await readFile(stamp, 'utf8').catch(() => '')) === JSON.stringify(flags)) return;
  ctx.log.info(`qemu: configure ${flags.join(' ')}`);
  await rm(build, { recursive: true, force: true });
  await mkdir(build, { recursive: true });
  const r = await run(ctx, join(src, 'configure'), flags, { stage: 'qemu', cwd: build, logPath, reject: false, timeoutMs: 10 * 60_000 });
  if (r.exitCode !== 0) {
    throw new HarnessError("QEMU's configure failed", { stage: 'qemu', command: ['configure', ...flags], outputTail: tailLines(`${r.stdout}${r.stderr}`, 20), logPath, hint: 'a missing build dependency: run `npx sea-harness doctor --install` (meson >= 1.5 and python3-pycotap come from bookworm-backports)' });
  }
  await writeFile(stamp, JSON.stringify(flags));
}

/** `[123/1870] Compiling C object ...`: ninja's progress lines. */
export function ninjaStep(line: string): { done: number; total: number } | null {
  const m = /^\[(\d+)\/(\d+)\] /.exec(line);
  return m ? { done: Number(m[1]), total: Number(m[2]) } : null;
}

async function ninja(ctx: Context, build: string, logPath: string, started: number, doing: Doing): Promise<number> {
  let steps = 0;
  const elapsed = () => Math.round((Date.now() - started) / 1000);
  doing('ninja: starting');
  const r = await run(ctx, 'ninja', ['-C', build, `-j${jobs()}`, BINARY], {
    stage: 'qemu',
    logPath,
    reject: false,
    timeoutMs: 2 * 3600_000,
    buffer: false,
    onLine: (line) => {
      const s = ninjaStep(line);
      if (!s) return;
      steps++;
      doing(`build step ${s.done}/${s.total}`);
    },
  });
  if (r.exitCode !== 0) {
    const log = await readFile(logPath, 'utf8').catch(() => '');
    const errors = log.split('\n').filter((l) => /: (fatal )?error: /.test(l)).slice(0, 10);
    throw new HarnessError(`QEMU failed to build${errors[0] ? `: ${errors[0]}` : ''}`, { stage: 'qemu', command: ['ninja', '-C', build, BINARY], outputTail: errors.length ? errors.join('\n') : tailLines(log, 20), logPath, hint: 'a patch in qemu/patches does not compile against this QEMU, or a -dev package is missing (`npx sea-harness doctor`)' });
  }
  ctx.log.info(`qemu: ${BINARY} built in ${elapsed()} s (${steps} ninja steps)`);
  return steps;
}

async function storeQemu(ctx: Context, spec: QemuSpec, key: string, built: string, logPath: string, buildMs: number, steps: number): Promise<QemuBuild> {
  const dir = qemuStoreDir(ctx.cacheDir, key);
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await copyFile(built, join(tmp, BINARY));
  await chmod(join(tmp, BINARY), 0o755);
  await copyFile(logPath, join(tmp, 'build.log'));
  const v = await run(ctx, join(tmp, BINARY), ['--version'], { stage: 'qemu', timeoutMs: 30_000 });
  const version = /version (\S+)/.exec(v.stdout)?.[1] ?? spec.version;
  const manifest: Manifest = {
    key,
    version,
    sourceSha256: spec.sha256,
    patches: spec.patches.map((p) => ({ file: p.file, subject: p.subject, sha256: p.sha256 })),
    configure: spec.configure,
    compiler: await hostCompiler(ctx),
    buildMs,
    storedAt: new Date().toISOString(),
  };
  await writeFile(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  return { ...manifest, binary: join(dir, BINARY), fromStore: false, steps, dir };
}
