// The workspace lock's housekeeping: borrowed object stores that no longer exist are forgotten, the others kept;
// processes opening one new workspace at once (separate node processes running the TypeScript source).
import t from 'tap';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { createContext } from '../util/context.js';
import { openWorkspace, withWorkspace, type Workspace } from './workspace.js';
import { printed, startSourceScript, sourceUrl } from '../test-support/source-node.js';

t.test('withWorkspace drops alternates whose directory is gone; git stops complaining', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'sea-ws-'));
  const src = join(root, 'src');
  await execa('git', ['init', '-q', src]);
  const kept = join(root, 'kept-objects');
  mkdirSync(kept);
  const gone = join(root, 'deleted-tree', '.git', 'objects');
  const alternates = join(src, '.git', 'objects', 'info', 'alternates');
  mkdirSync(join(src, '.git', 'objects', 'info'), { recursive: true });
  writeFileSync(alternates, `${gone}\n${kept}\n`);
  const before = await execa('git', ['-C', src, 'count-objects', '-v'], { reject: false });
  t.match(String(before.stderr), /unable to normalize alternate object path/, 'git complains before');
  const ws = { root, src, build: join(root, 'build'), logs: join(root, 'logs'), lockPath: join(root, 'lock'), toolchain: {} } as unknown as Workspace;
  const seen = await withWorkspace(createContext({ cacheDir: root }), ws, async () => readFileSync(alternates, 'utf8'));
  t.equal(seen, `${kept}\n`, 'pruned before the locked work runs');
  const after = await execa('git', ['-C', src, 'count-objects', '-v'], { reject: false });
  t.equal(String(after.stderr), '', 'no complaint after');
});

t.test('processes that open one new workspace at once all get it, configured (no config.lock race)', async (t) => {
  const cache = mkdtempSync(join(tmpdir(), 'sea-ws-cache-'));
  // Separate processes, as two `ci` runs are: concurrent `git config` writes fail on config.lock with exit 255.
  // Each loads the modules first and waits for the word, so all of them open the workspace at the same moment.
  const script = `
    const { openWorkspace } = await import(${JSON.stringify(sourceUrl('harness/kernel/workspace.ts'))});
    const { createContext } = await import(${JSON.stringify(sourceUrl('harness/util/context.ts'))});
    process.stdout.write('ready\\n');
    await new Promise((go) => process.stdin.once('data', go));
    await openWorkspace(createContext({ cacheDir: ${JSON.stringify(cache)} }), { id: 'test' }, null);`;
  const children = Array.from({ length: 4 }, () => startSourceScript(script));
  t.same(await Promise.all(children.map((c) => printed(c, 'ready'))), Array(4).fill(true), 'all loaded');
  for (const c of children) c.stdin?.end('go\n');
  const runs = await Promise.all(children);
  t.same(runs.map((r) => r.exitCode), Array(4).fill(0), runs.map((r) => String(r.stderr).trim()).filter(Boolean).join('\n'));
  const ws = join(cache, 'workspaces', 'test-default', 'src');
  const cfg = await execa('git', ['-C', ws, 'config', '--local', '--list']);
  for (const want of ['user.name=sea-harness', 'user.email=sea-harness@localhost', 'gc.auto=0', 'advice.detachedhead=false']) t.match(cfg.stdout, want);
});
