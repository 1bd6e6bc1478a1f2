// The one kernel config: allnoconfig + images/ + every guest profile + every case + the tree's KVM selftest config,
// generated in the build directory and verified symbol by symbol before anything is compiled.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from '../util/context.js';
import { run } from '../util/exec.js';
import { BuildFailedError, HarnessError, UsageError, tailLines } from '../util/errors.js';
import { sha256, shortHash } from '../util/hash.js';
import { projectRoot } from '../util/project.js';
import { loadProfiles } from '../guest/profiles.js';
import { loadCases } from '../catalog/cases.js';
import {
  dependsOfSymbol,
  fragmentFromLines,
  mergeFragments,
  parseKconfigText,
  renderFragment,
  symbolsInExpression,
  verifyConfig,
  type KconfigFragment,
  type KconfigValue,
} from './kconfig.js';
import { git, type Workspace } from './workspace.js';
import { makeArgs, workspaceSandbox } from './make.js';

/** The harness's fragments: independent of the cases or profile chosen for a run. */
export async function harnessFragments(): Promise<KconfigFragment[]> {
  const root = projectRoot();
  const base = await readFile(join(root, 'images', 'initramfs.config'), 'utf8');
  const coverage = await readFile(join(root, 'images', 'coverage.config'), 'utf8');
  return [
    { origin: 'images/initramfs.config', symbols: parseKconfigText(base) },
    { origin: 'images/coverage.config', symbols: parseKconfigText(coverage) },
    ...loadProfiles().map((p) => fragmentFromLines(p.file, p.kconfig)),
    ...loadCases().map((c) => fragmentFromLines(`cases/${c.name}.json`, c.kconfig)),
  ];
}

export async function userFragments(paths: readonly string[]): Promise<KconfigFragment[]> {
  return Promise.all(
    paths.map(async (p) => {
      const text = await readFile(p, 'utf8').catch(() => {
        throw new UsageError(`--config ${p}: cannot read the fragment`, 'give a kconfig fragment file (CONFIG_FOO=y lines)', { stage: 'kconfig' });
      });
      return { origin: p, symbols: parseKconfigText(text) };
    }),
  );
}

/** Key of the user's extra fragments, for the workspace directory name; null when there are none. */
export function userConfigKey(fragments: readonly KconfigFragment[]): string | null {
  if (fragments.length === 0) return null;
  return shortHash(sha256(...fragments.map((f) => renderFragment(f.symbols)))).slice(0, 12);
}

export interface ConfigResult {
  readonly fragmentPath: string;
  /** Hash of the requested symbols: with the tree hash and the toolchain it determines the .config. */
  readonly fragmentHash: string;
  readonly requested: ReadonlyMap<string, KconfigValue>;
  /** Symbols of the tree's selftest config that this architecture does not have (KVM_INTEL, ...). */
  readonly ignored: readonly string[];
}

/**
 * Which of these symbols the tree defines for arm64: one `git grep` over the tree object's Kconfig files
 * (other architectures' do not count: arch/x86 defines KVM_INTEL). Remembered per tree in the workspace.
 */
async function definedSymbols(ctx: Context, ws: Workspace, treeish: string, symbols: readonly string[]): Promise<Set<string>> {
  if (symbols.length === 0) return new Set();
  const tree = (await git(ctx, ws, ['rev-parse', `${treeish}^{tree}`])).stdout.trim();
  const memoPath = join(ws.root, 'kconfig-symbols.json');
  const memo = JSON.parse(await readFile(memoPath, 'utf8').catch(() => '{}')) as Record<string, string[]>;
  const key = `${tree}:${[...symbols].sort().join(',')}`;
  if (memo[key]) return new Set(memo[key]);
  const names = symbols.map((s) => s.replace(/^CONFIG_/, ''));
  const re = `^\\s*(menu)?config\\s+(${names.join('|')})\\s*$`;
  const found = new Set<string>();
  for (const paths of [[':(glob)**/Kconfig*', ':(exclude,glob)arch/*/**'], [':(glob)arch/arm64/**/Kconfig*']]) {
    const r = await git(ctx, ws, ['grep', '-h', '-E', re, tree, '--', ...paths], { reject: false });
    for (const line of r.stdout.split('\n')) {
      const m = /config\s+(\w+)/.exec(line);
      if (m) found.add(`CONFIG_${m[1]}`);
    }
  }
  memo[key] = [...found];
  await writeFile(memoPath, JSON.stringify(memo) + '\n');
  return found;
}

/**
 * The requested fragment for a source tree (a tree or commit of the workspace repository; the work tree need
 * not hold it): the tree's tools/testing/selftests/kvm/config is part of it.
 */
export interface RequestedConfig {
  readonly requested: ReadonlyMap<string, KconfigValue>;
  /** Symbols of the tree's selftest config that this architecture does not have (KVM_INTEL, ...). */
  readonly ignored: readonly string[];
}

export async function requestedConfig(ctx: Context, ws: Workspace, treeish: string, user: readonly KconfigFragment[]): Promise<RequestedConfig> {
  const own = await harnessFragments();
  const shown = await git(ctx, ws, ['show', `${treeish}:tools/testing/selftests/kvm/config`], { reject: false });
  const treeText = shown.exitCode === 0 ? shown.stdout : '';
  const treeSymbols = parseKconfigText(treeText);
  const ignored: string[] = [];
  const kept = new Map<string, KconfigValue>();
  // The selftest config lists every architecture's symbols (KVM_INTEL, KVM_AMD): keep only arm64's.
  const defined = await definedSymbols(ctx, ws, treeish, [...treeSymbols.keys()]);
  for (const [sym, value] of treeSymbols) {
    if (defined.has(sym)) kept.set(sym, value);
    else ignored.push(sym);
  }
  const { merged, conflicts } = mergeFragments([...own, { origin: 'tools/testing/selftests/kvm/config', symbols: kept }], user);
  if (conflicts.length > 0) {
    const list = conflicts.map((c) => `  ${c.symbol}: ${c.values.map((v) => `${v.value} (${v.origin})`).join(' vs ')}`).join('\n');
    throw new UsageError(`the harness's kconfig fragments disagree:\n${list}`, 'make guests/, cases/ and images/ agree on these symbols', { stage: 'kconfig' });
  }
  return { requested: merged, ignored };
}

/** Why a symbol did not get its value: its `depends on` lines, each symbol with its value in .config. */
async function explainDropped(ctx: Context, ws: Workspace, symbol: string, final: ReadonlyMap<string, KconfigValue>): Promise<string> {
  const name = symbol.replace(/^CONFIG_/, '');
  const files = await git(ctx, ws, ['grep', '-l', '-E', `^\\s*(menu)?config\\s+${name}\\s*$`, '--', '*Kconfig*'], { reject: false });
  const file = files.stdout.trim().split('\n').filter(Boolean)[0];
  if (!file) return `${symbol} does not exist in this tree's Kconfig`;
  const entry = dependsOfSymbol(await readFile(join(ws.src, file), 'utf8'), name);
  const deps = entry.dependsOn.flatMap(symbolsInExpression).filter((d) => d !== 'n' && d !== 'y');
  const unmet = deps.filter((d) => (final.get(`CONFIG_${d}`) ?? 'n') === 'n');
  const depText = entry.dependsOn.length ? `depends on ${entry.dependsOn.join(' && ')}` : 'no depends on';
  const unmetText = unmet.length ? `; unmet: ${unmet.map((d) => `CONFIG_${d}=${final.get(`CONFIG_${d}`) ?? 'n'}`).join(', ')}` : '';
  const promptText = entry.hasPrompt ? '' : ' (no prompt: it can only be selected by another symbol)';
  return `${symbol} (${file}) ${depText}${unmetText}${promptText}`;
}

/**
 * Generate build/.config (allnoconfig + the requested symbols, worked out once per build by requestedConfig for
 * the tree being built) and check that every requested symbol held.
 */
export async function configureKernel(ctx: Context, ws: Workspace, config: RequestedConfig, logPath: string): Promise<ConfigResult> {
  const { requested, ignored } = config;
  const text = renderFragment(requested);
  const fragmentPath = join(ws.build, 'sea-harness.config');
  await writeFile(fragmentPath, text);
  const r = await run(ctx, 'make', makeArgs(ws, [`KCONFIG_ALLCONFIG=${fragmentPath}`, 'allnoconfig']), { stage: 'kconfig', cwd: ws.src, logPath, reject: false, timeoutMs: 10 * 60_000, sandbox: workspaceSandbox(ws, 'kernel config') });
  if (r.exitCode !== 0) {
    throw new BuildFailedError('make allnoconfig failed', { stage: 'kconfig', outputTail: tailLines(r.stdout + r.stderr, 20), logPath });
  }
  const final = parseKconfigText(await readFile(join(ws.build, '.config'), 'utf8'));
  const dropped = verifyConfig(requested, final);
  if (dropped.length > 0) {
    const lines = await Promise.all(dropped.map(async (d) => `  ${d.symbol}=${d.wanted} came out as ${d.got}: ${await explainDropped(ctx, ws, d.symbol, final)}`));
    throw new UsageError(`the kernel config lost ${dropped.length} requested symbol(s):\n${lines.join('\n')}`, 'add the unmet dependencies to the fragment that asks for the symbol (guests/, cases/, images/ or your --config)', {
      stage: 'kconfig',
      logPath,
    });
  }
  return { fragmentPath, fragmentHash: sha256(text), requested, ignored };
}
