// Debian's linux-source-X.Y as the default kernel: fetched once through a private apt configuration and
// imported into the workspace repository as a commit under refs/sea/debian/<version>.
import { mkdtemp, readdir, rm, writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from '../util/context.js';
import { run } from '../util/exec.js';
import { HarnessError } from '../util/errors.js';
import { formatElapsed, startHeartbeat } from '../util/progress.js';
import { aptCandidate, aptConfig, aptDownload, aptSearchNames, aptUpdate } from '../host/apt.js';
import { git, type Workspace } from './workspace.js';

export const DEFAULT_DEBIAN_SERIES = '7.3';

export interface DebianSource {
  readonly package: string;
  readonly version: string;
  readonly commit: string;
}

/** git refuses `~` and `:` in ref names; Debian versions have them. */
export function debianRef(pkg: string, version: string): string {
  return `refs/sea/debian/${pkg}/${version.replace(/[~:^]/g, '_')}`;
}

function compareSeries(a: string, b: string): number {
  const [a1, a2] = a.split('.').map(Number);
  const [b1, b2] = b.split('.').map(Number);
  return (a1! - b1!) || (a2! - b2!);
}

/** Which package and version to use: linux-source-<series>, else the newest linux-source-7.* with a warning. */
async function resolvePackage(ctx: Context, series: string, logPath: string): Promise<{ pkg: string; version: string }> {
  const cfg = await aptConfig(ctx, 'kernel-source');
  await aptUpdate(ctx, cfg, logPath);
  const wanted = `linux-source-${series}`;
  const version = await aptCandidate(ctx, cfg, wanted);
  if (version) return { pkg: wanted, version };
  const major = series.split('.')[0];
  const names = (await aptSearchNames(ctx, cfg, `^linux-source-${major}\\.[0-9]+$`))
    .map((n) => n.replace('linux-source-', ''))
    .sort(compareSeries);
  const newest = names.at(-1);
  if (!newest) {
    throw new HarnessError(`no ${wanted} (nor any linux-source-${major}.*) in Debian's trixie-backports or sid`, {
      stage: 'source',
      logPath,
      hint: 'name a kernel tree with --kernel DIR, or another Debian version with --debian-version X.Y',
    });
  }
  ctx.log.warn(`${wanted} is no longer in the archive; using linux-source-${newest} instead`);
  const v = await aptCandidate(ctx, cfg, `linux-source-${newest}`);
  return { pkg: `linux-source-${newest}`, version: v! };
}

async function refCommit(ctx: Context, ws: Workspace, ref: string): Promise<string | null> {
  const r = await git(ctx, ws, ['rev-parse', '--verify', '-q', `${ref}^{commit}`], { reject: false });
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

/** The record of the last resolution, so a run with a fresh import does not ask apt again for a day. */
interface Resolved {
  series: string;
  pkg: string;
  version: string;
  at: number;
}

export async function importDebianSource(ctx: Context, ws: Workspace, series = DEFAULT_DEBIAN_SERIES): Promise<DebianSource> {
  const logPath = join(ws.logs, 'debian-source.log');
  const recordPath = join(ws.root, `debian-${series}.json`);
  const record = JSON.parse(await readFile(recordPath, 'utf8').catch(() => 'null')) as Resolved | null;
  let pkg: string;
  let version: string;
  if (record && Date.now() - record.at < 24 * 3600_000) {
    ({ pkg, version } = record);
  } else {
    ({ pkg, version } = await resolvePackage(ctx, series, logPath));
    await writeFile(recordPath, JSON.stringify({ series, pkg, version, at: Date.now() } satisfies Resolved) + '\n');
  }
  const ref = debianRef(pkg, version);
  const existing = await refCommit(ctx, ws, ref);
  if (existing) return { package: pkg, version, commit: existing };

  ctx.log.info(`source: fetching ${pkg} ${version} from Debian (once; later runs reuse the import)`);
  const cfg = await aptConfig(ctx, 'kernel-source');
  const debs = join(ctx.cacheDir, 'debs');
  await aptDownload(ctx, cfg, [`${pkg}=${version}`], debs, logPath);
  const deb = (await readdir(debs)).find((f) => f.startsWith(`${pkg}_`) && f.includes(version.replace(/^\d+:/, '').replace(/:/g, '%3a')));
  if (!deb) throw new HarnessError(`apt downloaded nothing for ${pkg}=${version}`, { stage: 'source', logPath });

  const tmp = await mkdtemp(join(ws.root, 'import-'));
  const removeTmp = ctx.cleanup.defer('remove source import directory', () => rm(tmp, { recursive: true, force: true }));
  let step = 'unpacking the .deb';
  const stopBeat = startHeartbeat(ctx.log, (ms) => `source: ${pkg} ${version}: ${step}, ${formatElapsed(ms)}`);
  try {
    // The .deb holds /usr/src/linux-source-X.Y.tar.xz; unpack that tarball, not the package.
    await run(ctx, 'sh', ['-c', 'dpkg-deb --fsys-tarfile "$1" | tar -x -C "$2" --wildcards "./usr/src/linux-source-*.tar.xz"', 'sh', join(debs, deb), tmp], { stage: 'source', logPath });
    const tarball = (await readdir(join(tmp, 'usr', 'src'))).find((f) => f.endsWith('.tar.xz'));
    if (!tarball) throw new HarnessError(`${deb} has no /usr/src/linux-source-*.tar.xz`, { stage: 'source', logPath });
    const tree = join(tmp, 'tree');
    await run(ctx, 'mkdir', ['-p', tree], { stage: 'source' });
    step = `unpacking ${tarball}`;
    await run(ctx, 'tar', ['-xJf', join(tmp, 'usr', 'src', tarball), '-C', tree, '--strip-components=1'], { stage: 'source', logPath, timeoutMs: 20 * 60_000 });
    await checkSeaToUser(ctx, join(tree, 'include', 'uapi', 'linux', 'kvm.h'), `${pkg} ${version}`);
    // Import through a private index so the work tree and its build stay untouched until checkout.
    // -f: Debian's top-level .gitignore ignores everything at the top level (`/*`).
    const env = { GIT_INDEX_FILE: join(tmp, 'index'), GIT_WORK_TREE: tree };
    ctx.log.info(`source: importing ${tarball} into the workspace repository`);
    step = 'importing the tree into the workspace repository (git add)';
    await git(ctx, ws, ['add', '-A', '-f', '.'], { env });
    const treeHash = (await git(ctx, ws, ['write-tree'], { env })).stdout.trim();
    const dateEnv = { ...env, GIT_AUTHOR_DATE: '2000-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2000-01-01T00:00:00Z' };
    const commit = (await git(ctx, ws, ['commit-tree', treeHash, '-m', `Debian ${pkg} ${version}`], { env: dateEnv })).stdout.trim();
    await git(ctx, ws, ['update-ref', ref, commit]);
    return { package: pkg, version, commit };
  } finally {
    stopBeat();
    await removeTmp();
  }
}

/** DESIGN.md: the default source must have the merged SEA exit (KVM_CAP_ARM_SEA_TO_USER). */
async function checkSeaToUser(ctx: Context, kvmHeader: string, what: string): Promise<void> {
  const text = await readFile(kvmHeader, 'utf8').catch(() => '');
  if (!text.includes('KVM_CAP_ARM_SEA_TO_USER')) {
    ctx.log.warn(`${what} has no KVM_CAP_ARM_SEA_TO_USER in include/uapi/linux/kvm.h: sea_to_user will be absent`);
  }
}
