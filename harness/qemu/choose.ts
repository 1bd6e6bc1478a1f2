// Which qemu-system-aarch64 boots the L1: `--qemu PATH`, else the profile's kind (the project's build from the
// artifact store, building it on a miss, or the host's).
import { access, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from '../util/context.js';
import type { GuestProfile } from '../guest/profiles.js';
import type { QemuProvenance } from '../model/result.js';
import { DEFAULT_QEMU } from '../guest/qemu-args.js';
import { hostCompiler, prepareQemu, type QemuBuild } from './build.js';
import { loadQemuSpec, qemuStoreKey } from './spec.js';

export interface QemuChoice {
  readonly path: string;
  /** Where it came from: the user's --qemu, the project's build, or the host's package. */
  readonly origin: 'user' | 'sea-harness' | 'system';
  /** The project's build when that is what boots (its key, patches and hashes go into provenance). */
  readonly build: QemuBuild | null;
}

/**
 * `prebuiltDir`: a `build --out` directory; its copy of the project's QEMU is used when it is the build this
 * checkout would make (same store key), so a later CI job boots without building QEMU.
 */
export async function chooseQemu(ctx: Context, profile: GuestProfile, override: string | null, prebuiltDir?: string): Promise<QemuChoice> {
  if (override) return { path: override, origin: 'user', build: null };
  if (profile.qemu === 'system') return { path: DEFAULT_QEMU, origin: 'system', build: null };
  const carried = prebuiltDir ? await prebuiltQemu(ctx, prebuiltDir) : null;
  const build = carried ?? (await prepareQemu(ctx));
  return { path: build.binary, origin: 'sea-harness', build };
}

const PREBUILT_DIR = 'qemu';
const PREBUILT_MANIFEST = 'qemu.json';

/** `build --out DIR`: the project's QEMU beside the kernel, with its manifest. */
export async function writePrebuiltQemu(build: QemuBuild, dir: string): Promise<string> {
  await mkdir(join(dir, PREBUILT_DIR), { recursive: true });
  await copyFile(build.binary, join(dir, PREBUILT_DIR, 'qemu-system-aarch64'));
  const { binary: _binary, dir: _dir, fromStore: _fromStore, ...manifest } = build;
  const path = join(dir, PREBUILT_DIR, PREBUILT_MANIFEST);
  await writeFile(path, JSON.stringify(manifest, null, 2) + '\n');
  return path;
}

async function prebuiltQemu(ctx: Context, dir: string): Promise<QemuBuild | null> {
  const text = await readFile(join(dir, PREBUILT_DIR, PREBUILT_MANIFEST), 'utf8').catch(() => null);
  const binary = join(dir, PREBUILT_DIR, 'qemu-system-aarch64');
  if (!text || !(await access(binary).then(() => true, () => false))) return null;
  const m = JSON.parse(text) as Omit<QemuBuild, 'binary' | 'dir' | 'fromStore'>;
  const wanted = qemuStoreKey(loadQemuSpec(), await hostCompiler(ctx));
  if (m.key !== wanted) {
    ctx.log.warn(`${join(dir, PREBUILT_DIR)} holds QEMU build ${m.key}, but this checkout's qemu/ makes ${wanted}: using (or building) ${wanted}`);
    return null;
  }
  ctx.log.info(`qemu: the prebuilt copy in ${join(dir, PREBUILT_DIR)} (${m.key})`);
  return { ...m, binary, dir: join(dir, PREBUILT_DIR), fromStore: true };
}

/** The provenance record of a choice: enough to name the exact QEMU that ran. */
export function qemuProvenance(choice: QemuChoice): QemuProvenance {
  const b = choice.build;
  return {
    origin: choice.origin,
    path: choice.path,
    build: b ? { key: b.key, version: b.version, sourceSha256: b.sourceSha256, patches: b.patches, configure: b.configure, compiler: b.compiler } : null,
  };
}
