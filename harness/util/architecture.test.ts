// The shape of the source as rules: no import cycle between folders of harness/ (a cycle is how a centre
// starts to tangle), and the guest options declared once (a second declaration is a copy to forget).
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectRoot } from './project.js';

const HARNESS = join(projectRoot(), 'harness');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'fixtures' ? [] : sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** Folder -> folders it imports from (relative imports that leave the folder). */
export function folderGraph(files: readonly string[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const f of files) {
    const from = relative(HARNESS, f).split('/')[0]!;
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const m of readFileSync(f, 'utf8').matchAll(/from '\.\.\/([a-z-]+)\//g)) if (m[1] !== from) edges.add(m[1]!);
  }
  return graph;
}

/** One cycle as a path `a -> b -> a`, or null. */
export function findCycle(graph: ReadonlyMap<string, ReadonlySet<string>>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    if (state.get(n) === 'done') return null;
    if (state.get(n) === 'open') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'open');
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      const c = visit(m);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return null;
  };
  for (const n of graph.keys()) {
    const c = visit(n);
    if (c) return c;
  }
  return null;
}

t.test('findCycle finds a cycle and only a cycle', async (t) => {
  t.same(findCycle(new Map([['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set<string>()]])), null);
  t.same(findCycle(new Map([['a', new Set(['b'])], ['b', new Set(['a'])]])), ['a', 'b', 'a']);
  t.same(findCycle(new Map([['x', new Set(['a'])], ['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set(['a'])]])), ['a', 'b', 'c', 'a']);
});

t.test('no import cycle between the folders of harness/', async (t) => {
  const graph = folderGraph(sources(HARNESS));
  t.ok(graph.size > 10, `${graph.size} folders read`);
  t.same(findCycle(graph), null, 'folder-level import graph is acyclic');
});

t.test('the guest options are declared once', async (t) => {
  const declarations = sources(HARNESS).filter((f) => /^\s*(export\s+)?(interface\s+GuestOptions\s*[{<]|type\s+GuestOptions\s*=)/m.test(readFileSync(f, 'utf8')));
  t.same(declarations.map((f) => relative(HARNESS, f)), ['guest/options.ts']);
  // No command or stage re-declares the guest fields by picking them out of another type.
  const picks = sources(HARNESS).filter((f) => /Pick<RunPlan|Omit<RunPlan/.test(readFileSync(f, 'utf8')));
  t.same(picks, [], 'no Pick/Omit copies of the run plan');
});
