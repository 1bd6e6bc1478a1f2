// The project's QEMU as data: qemu/source.json (upstream tarball, its hash, configure flags) and qemu/patches/,
// and the store key derived from them.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256, shortHash } from '../util/hash.js';
import { projectRoot } from '../util/project.js';
import { DataReader } from '../util/validate.js';

export interface QemuPatch {
  readonly file: string;
  readonly subject: string;
  readonly sha256: string;
  readonly text: string;
}

export interface QemuSpec {
  readonly version: string;
  readonly url: string;
  readonly sha256: string;
  /** Configure flags for this host (the arm64-only ones added on arm64 hosts). */
  readonly configure: readonly string[];
  readonly patches: readonly QemuPatch[];
}

/** Bump when the build recipe changes in a way the inputs below do not show: old entries are then never hit. */
const QEMU_STORE_FORMAT = 'qemu-store-v1';

export function qemuDir(): string {
  return join(projectRoot(), 'qemu');
}

/** `Subject: [PATCH 2/3] hw/arm/virt: ...` (folded over lines as git format-patch writes it). */
export function patchSubject(text: string): string {
  const m = /^Subject: (.*(?:\n[ \t].*)*)/m.exec(text);
  if (!m) return '(no subject)';
  return m[1]!.replace(/\n[ \t]+/g, ' ').replace(/^\[PATCH[^\]]*\]\s*/, '').trim();
}

export function parseQemuSpec(file: string, value: unknown, patches: readonly QemuPatch[], hostArch: string): QemuSpec {
  const r = DataReader.root(file, value).only(['description', 'version', 'url', 'sha256', 'configure', 'configureOnArm64']);
  const hash = r.string('sha256');
  if (!/^[0-9a-f]{64}$/.test(hash)) r.fail('sha256', 'expected 64 lowercase hex digits');
  return {
    version: r.string('version'),
    url: r.string('url'),
    sha256: hash,
    configure: [...r.strings('configure'), ...(hostArch === 'arm64' ? r.strings('configureOnArm64', []) : [])],
    patches,
  };
}

export function loadQemuSpec(dir = qemuDir(), hostArch = process.arch): QemuSpec {
  const patchDir = join(dir, 'patches');
  const patches = readdirSync(patchDir)
    .filter((f) => f.endsWith('.patch'))
    .sort()
    .map((f) => {
      const text = readFileSync(join(patchDir, f), 'utf8');
      // Plain file hashes, so that `sha256sum qemu/patches/*` shows the same values as result.json.
      return { file: `qemu/patches/${f}`, subject: patchSubject(text), sha256: createHash('sha256').update(text).digest('hex'), text };
    });
  return parseQemuSpec('qemu/source.json', JSON.parse(readFileSync(join(dir, 'source.json'), 'utf8')), patches, hostArch);
}

/** Everything that decides the binary: source, patches (in order), flags and the host compiler. */
export function qemuStoreKey(spec: QemuSpec, compiler: string): string {
  return shortHash(sha256(QEMU_STORE_FORMAT, spec.sha256, ...spec.patches.map((p) => p.sha256), JSON.stringify(spec.configure), compiler));
}
