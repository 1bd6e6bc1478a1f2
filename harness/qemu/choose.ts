// Which qemu-system-aarch64 boots the L1: `--qemu PATH`, else the profile's kind (the project's build from the
// artifact store, building it on a miss, or the host's).
import type { Context } from '../util/context.js';
import type { GuestProfile } from '../guest/profiles.js';
import { DEFAULT_QEMU } from '../guest/qemu-args.js';
import { prepareQemu, type QemuBuild } from './build.js';

export interface QemuChoice {
  readonly path: string;
  /** Where it came from: the user's --qemu, the project's build, or the host's package. */
  readonly origin: 'user' | 'sea-harness' | 'system';
  /** The project's build when that is what boots (its key, patches and hashes go into provenance). */
  readonly build: QemuBuild | null;
}

export async function chooseQemu(ctx: Context, profile: GuestProfile, override: string | null): Promise<QemuChoice> {
  if (override) return { path: override, origin: 'user', build: null };
  if (profile.qemu === 'system') return { path: DEFAULT_QEMU, origin: 'system', build: null };
  const build = await prepareQemu(ctx);
  return { path: build.binary, origin: 'sea-harness', build };
}

/** The provenance record of a choice: enough to name the exact QEMU that ran. */
export function qemuProvenance(choice: QemuChoice) {
  const b = choice.build;
  return {
    origin: choice.origin,
    path: choice.path,
    build: b ? { key: b.key, version: b.version, sourceSha256: b.sourceSha256, patches: b.patches, configure: b.configure, compiler: b.compiler } : null,
  };
}
