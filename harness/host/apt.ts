// Private apt configurations: the host's packages (bookworm + bookworm-backports), Debian kernel sources
// (trixie-backports, sid) and arm64 guest packages, each with its own sources list and lists directory so
// the system's apt sources are never touched.
import { mkdir, writeFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from '../util/context.js';
import { type ExecOptions, type ExecResult, run } from '../util/exec.js';
import { formatElapsed, startHeartbeat } from '../util/progress.js';

const MIRROR = 'http://deb.debian.org/debian';
const SECURITY = 'http://deb.debian.org/debian-security';

export type AptRepo = 'host' | 'kernel-source' | 'guest-arm64';

const SOURCES: Record<AptRepo, string[]> = {
  host: [
    `deb ${MIRROR} bookworm main`,
    `deb ${MIRROR} bookworm-updates main`,
    `deb ${SECURITY} bookworm-security main`,
    `deb ${MIRROR} bookworm-backports main`,
  ],
  // linux-source-7.3 lives in trixie-backports (and sid while it is current there).
  'kernel-source': [`deb ${MIRROR} trixie-backports main`, `deb ${MIRROR} sid main`],
  // The guest userland is bookworm's arm64 build: static busybox and dropbear with its libraries.
  'guest-arm64': [`deb [arch=arm64] ${MIRROR} bookworm main`],
};

/** How long one apt-get may run: a dead mirror or a held dpkg lock must not hang the harness. */
const UPDATE_TIMEOUT_MS = 5 * 60_000;
const INSTALL_TIMEOUT_MS = 20 * 60_000;
/** Lists younger than this are not refreshed. */
const LISTS_MAX_AGE_MS = 24 * 3600_000;

export interface AptConfig {
  readonly repo: AptRepo;
  readonly dir: string;
  /** `-o` options that point apt at this private configuration. */
  readonly options: readonly string[];
}

export async function aptConfig(ctx: Context, repo: AptRepo): Promise<AptConfig> {
  const dir = join(ctx.cacheDir, 'apt', repo);
  await mkdir(join(dir, 'lists', 'partial'), { recursive: true });
  await mkdir(join(dir, 'archives', 'partial'), { recursive: true });
  await writeFile(join(dir, 'sources.list'), SOURCES[repo].join('\n') + '\n');
  const options = [
    `Dir::Etc::SourceList=${join(dir, 'sources.list')}`,
    'Dir::Etc::SourceParts=/nonexistent',
    `Dir::State::Lists=${join(dir, 'lists')}`,
    `Dir::Cache::Archives=${join(dir, 'archives')}`,
    // Wait for a held dpkg lock at most this long instead of failing at once or hanging.
    'DPkg::Lock::Timeout=120',
    'Acquire::Retries=2',
    'Acquire::http::Timeout=30',
  ];
  if (repo === 'guest-arm64') {
    // A separate, empty dpkg status: arm64 packages are only downloaded, never installed on the host.
    const status = join(dir, 'status');
    await writeFile(status, '', { flag: 'a' });
    options.push('APT::Architecture=arm64', 'APT::Architectures=arm64', `Dir::State::status=${status}`);
  }
  return { repo, dir, options: options.flatMap((o) => ['-o', o]) };
}

async function listsAgeMs(cfg: AptConfig): Promise<number> {
  const entries = (await readdir(join(cfg.dir, 'lists'))).filter((e) => e.endsWith('_Packages') || e.includes('Packages'));
  if (entries.length === 0) return Infinity;
  const times = await Promise.all(entries.map(async (e) => (await stat(join(cfg.dir, 'lists', e))).mtimeMs));
  return Date.now() - Math.min(...times);
}

/** `apt-get update` for a private configuration, skipped when its lists are fresh. */
export async function aptUpdate(ctx: Context, cfg: AptConfig, logPath: string, force = false): Promise<void> {
  if (!force && (await listsAgeMs(cfg)) < LISTS_MAX_AGE_MS) return;
  ctx.log.info(`apt: updating package lists for ${cfg.repo} (${cfg.dir})`);
  await aptGet(ctx, cfg, ['-q', 'update'], `updating package lists for ${cfg.repo}`, {
    stage: 'setup',
    timeoutMs: UPDATE_TIMEOUT_MS,
    logPath,
    hint: 'check that the Debian archive is reachable (deb.debian.org) and that no other apt is holding its lock',
  });
}

/** Install packages on the host (root needed). `target` selects a release such as bookworm-backports. */
export async function aptInstall(ctx: Context, cfg: AptConfig, packages: readonly string[], logPath: string, target?: string): Promise<void> {
  if (packages.length === 0) return;
  ctx.log.info(`apt: installing ${packages.join(' ')}${target ? ` from ${target}` : ''}`);
  await aptGet(ctx, cfg, ['-q', '-y', '--no-install-recommends', ...(target ? ['-t', target] : []), 'install', ...packages], `installing ${packages.length} packages`, {
    stage: 'setup',
    timeoutMs: INSTALL_TIMEOUT_MS,
    logPath,
    env: { DEBIAN_FRONTEND: 'noninteractive' },
    hint: process.getuid?.() === 0 ? 'see the apt log; a held dpkg lock is waited for 120 s' : 'installing packages needs root: run as root or install them by hand',
  });
}

/** Download .debs (without installing) into `destDir`; returns nothing, the files are `<name>_<version>_<arch>.deb`. */
export async function aptDownload(ctx: Context, cfg: AptConfig, packages: readonly string[], destDir: string, logPath: string): Promise<void> {
  await mkdir(destDir, { recursive: true });
  await aptGet(ctx, cfg, ['-q', 'download', ...packages], `downloading ${packages.length === 1 ? packages[0]! : `${packages.length} packages`}`, {
    stage: 'setup',
    cwd: destDir,
    timeoutMs: INSTALL_TIMEOUT_MS,
    logPath,
    hint: 'check that the Debian archive is reachable and the package names exist for this suite',
  });
}

/**
 * One apt-get run with a heartbeat: a .deb such as linux-source or an install from doctor can take minutes, and
 * apt-get -q prints one `Get:` line per file fetched (then `Unpacking`, `Setting up` lines when installing).
 */
async function aptGet(ctx: Context, cfg: AptConfig, args: readonly string[], what: string, options: Omit<ExecOptions, 'onLine'>): Promise<ExecResult> {
  let fetched = 0;
  let step = '';
  const stop = startHeartbeat(ctx.log, (ms) => `apt: ${what}: ${fetched} ${fetched === 1 ? 'file' : 'files'} fetched${step ? `, ${step}` : ''}, ${formatElapsed(ms)}`);
  try {
    return await run(ctx, 'apt-get', [...cfg.options, ...args], {
      ...options,
      onLine: (line) => {
        if (/^Get:\d+ /.test(line)) fetched++;
        const m = /^(Unpacking|Setting up) (\S+)/.exec(line);
        if (m) step = `${m[1]!.toLowerCase()} ${m[2]!}`;
      },
    });
  } finally {
    stop();
  }
}

/** `apt-cache policy`-like lookup: the candidate version of a package in a configuration, or null. */
export async function aptCandidate(ctx: Context, cfg: AptConfig, pkg: string): Promise<string | null> {
  const r = await run(ctx, 'apt-cache', [...cfg.options, 'policy', pkg], { stage: 'setup', reject: false, timeoutMs: 60_000 });
  const m = /Candidate:\s*(\S+)/.exec(r.stdout);
  return m && m[1] !== '(none)' ? m[1]! : null;
}

/** Package names matching a regular expression, from `apt-cache search --names-only`. */
export async function aptSearchNames(ctx: Context, cfg: AptConfig, regex: string): Promise<string[]> {
  const r = await run(ctx, 'apt-cache', [...cfg.options, 'search', '--names-only', regex], { stage: 'setup', reject: false, timeoutMs: 60_000 });
  return r.stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter(Boolean);
}
