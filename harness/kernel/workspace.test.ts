// The workspace lock's housekeeping: borrowed object stores that no longer exist are forgotten, the others kept.
import t from 'tap';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { createContext } from '../util/context.js';
import { withWorkspace, type Workspace } from './workspace.js';

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
