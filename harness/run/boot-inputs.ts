// What a boot needs besides the profile: the kernel Image, the initrd (cached base image + this run's overlay
// with the client key and case binaries) and the keys, all placed in the artifact directory.
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from '../util/context.js';
import type { CaseDefinition } from '../catalog/cases.js';
import { guestBinaryPath } from '../cases/runner.js';
import type { KernelForRun } from './prebuilt.js';
import type { SelftestBinary } from '../kernel/selftests.js';
import { assembleInitrd, buildBaseImage, buildOverlay, type BaseImage } from '../guest/image.js';
import { generateClientKey, type ClientKey } from '../guest/ssh.js';

export interface BootInputs {
  readonly image: string;
  readonly initrd: string;
  readonly base: BaseImage;
  readonly clientKey: ClientKey;
  readonly binaries: ReadonlyMap<string, SelftestBinary>;
  /** Cases whose binary is in the initrd. */
  readonly present: readonly CaseDefinition[];
}

export async function prepareBootInputs(ctx: Context, kernel: KernelForRun, cases: readonly CaseDefinition[], outDir: string): Promise<BootInputs> {
  const base = await buildBaseImage(ctx, { logPath: join(outDir, 'image.log') });
  const clientKey = generateClientKey(`sea-harness-run-${process.pid}`);
  await writeFile(join(outDir, 'id_ed25519'), clientKey.privateKey, { mode: 0o600 });
  await writeFile(join(outDir, 'id_ed25519.pub'), clientKey.publicKey + '\n');
  await writeFile(join(outDir, 'host_key.pub'), base.hostKeyPublic.trim() + '\n');
  const binaries = new Map(kernel.selftests.map((s) => [s.case, s]));
  const present = cases.filter((c) => binaries.get(c.name)?.path);
  const overlay = await buildOverlay(ctx, {
    authorizedKeys: [clientKey.publicKey],
    files: present.map((c) => ({ guestPath: guestBinaryPath(c), hostPath: binaries.get(c.name)!.path!, mode: 0o755 })),
    outPath: join(outDir, 'overlay.cpio'),
  });
  const initrd = await assembleInitrd(base, overlay, join(outDir, 'initramfs.cpio.gz'));
  for (const c of present) await copyFile(binaries.get(c.name)!.path!, join(outDir, c.name));
  const image = join(outDir, 'Image');
  await copyFile(kernel.kernel.image, image);
  await copyFile(kernel.kernel.systemMap, join(outDir, 'System.map'));
  await copyFile(kernel.kernel.config, join(outDir, 'config'));
  // For repro.sh --gdb: the kernel's symbols (a copy: the store's files must not change through a run's directory).
  // A prebuilt directory may have none: then there is nothing to copy.
  if (kernel.kernel.vmlinux) {
    await copyFile(kernel.kernel.vmlinux, join(outDir, 'vmlinux')).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
  return { image, initrd, base, clientKey, binaries, present };
}
