// `sea-harness cache`: list and clean the kernel workspaces, the artifact store, the guest images and downloads.
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { listStore } from '../../kernel/store.js';
import { UsageError } from '../../util/errors.js';
import { int, parseCommand, type CommandSpec } from '../options.js';
import type { CommandMain } from '../runtime.js';

export const spec: CommandSpec = {
  name: 'cache',
  summary: "List the caches (kernel workspaces, artifact store, the project's QEMU builds and its work tree, guest images, downloads) with their sizes, or clean them: `cache clean` with --store, --workspaces, --qemu, --images, --downloads or --all; --max-store-gib N keeps the kernel store under N GiB by removing the oldest entries.",
  usage: 'sea-harness cache [list | clean [--store] [--workspaces] [--qemu] [--images] [--downloads] [--all] [--max-store-gib N]]',
  options: [
    { name: 'store', type: 'boolean', help: 'clean the artifact store' },
    { name: 'workspaces', type: 'boolean', help: 'clean the kernel workspaces (the next build is a cold one)' },
    { name: 'qemu', type: 'boolean', help: "clean the project's QEMU builds and its work tree (the next run builds QEMU cold, 10-20 min)" },
    { name: 'images', type: 'boolean', help: 'clean the guest images' },
    { name: 'downloads', type: 'boolean', help: 'clean downloaded .debs and apt lists' },
    { name: 'all', type: 'boolean', help: 'clean everything' },
    { name: 'max-store-gib', type: 'string', arg: 'N', help: 'remove the oldest store entries until the store is under N GiB' },
  ],
  positionals: { min: 0, max: 1 },
  examples: ['npx sea-harness cache', 'npx sea-harness cache clean --max-store-gib 5', 'npx sea-harness cache clean --all'],
};

async function du(path: string): Promise<number> {
  const st = await stat(path).catch(() => null);
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const e of await readdir(path, { withFileTypes: true }).catch(() => [])) {
    const p = join(path, e.name);
    if (e.isDirectory()) total += await du(p);
    else if (e.isFile()) total += (await stat(p).catch(() => null))?.size ?? 0;
  }
  return total;
}

const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;

export const main: CommandMain = async (rt, argv) => {
  const { values, positionals } = parseCommand(spec, argv);
  const action = positionals[0] ?? 'list';
  const root = rt.ctx.cacheDir;
  // Each cache part with the `clean` option that removes it.
  const parts = [
    { name: 'workspaces', path: join(root, 'workspaces'), option: 'workspaces' },
    { name: 'store', path: join(root, 'store'), option: 'store' },
    { name: 'qemu', path: join(root, 'qemu-store'), option: 'qemu' },
    { name: 'qemu-work', path: join(root, 'qemu'), option: 'qemu' },
    { name: 'images', path: join(root, 'images'), option: 'images' },
    { name: 'downloads', path: join(root, 'debs'), option: 'downloads' },
    { name: 'apt', path: join(root, 'apt'), option: 'downloads' },
  ];
  if (action === 'list') {
    const lines = [`cache root: ${root}`];
    for (const { name, path } of parts) lines.push(`  ${name.padEnd(11)} ${gib(await du(path)).padStart(10)}  ${path}`);
    for (const e of await listStore(root)) lines.push(`    store ${e.key}  ${gib(e.bytes)}  ${new Date(e.mtimeMs).toISOString()}`);
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
  }
  if (action !== 'clean') throw new UsageError(`cache ${action}: expected list or clean`);
  const all = Boolean(values.all);
  const targets = parts.filter((p) => all || values[p.option]);
  for (const { name, path } of targets) {
    rt.log.info(`cache: removing ${name} (${path})`);
    await rm(path, { recursive: true, force: true });
  }
  const cap = int(values, 'max-store-gib', 0);
  if (cap !== undefined) {
    const entries = (await listStore(root)).sort((a, b) => a.mtimeMs - b.mtimeMs);
    let total = entries.reduce((s, e) => s + e.bytes, 0);
    for (const e of entries) {
      if (total <= cap * 2 ** 30) break;
      rt.log.info(`cache: removing store entry ${e.key} (${gib(e.bytes)})`);
      await rm(e.dir, { recursive: true, force: true });
      total -= e.bytes;
    }
  }
  if (targets.length === 0 && cap === undefined) throw new UsageError('cache clean: say what to clean', 'use --store, --workspaces, --qemu, --images, --downloads, --all or --max-store-gib N');
  return 0;
};
