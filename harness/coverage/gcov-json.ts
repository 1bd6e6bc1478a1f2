// gcov's JSON intermediate format (`gcov --json-format --stdout`, format_version 1 of GCC 12) read into line
// counts per source file, tree-relative, summed over objects and over the counter snapshots of a run.
import { isAbsolute, posix } from 'node:path';

export interface LineCount {
  readonly count: number;
  readonly function: string | null;
  /** Times each outgoing edge of the line's conditional jumps was taken (gcov -b; exception edges left out). */
  readonly branches: readonly number[];
}

export interface FunctionRange {
  readonly name: string;
  readonly start: number;
  readonly end: number;
  /** Times the function was entered (summed like the lines). */
  count: number;
}

export interface FileCounts {
  readonly lines: Map<number, LineCount>;
  readonly functions: FunctionRange[];
}

/** Tree-relative path -> counts. */
export type CountsByFile = Map<string, FileCounts>;

interface GcovJsonLine {
  line_number: number;
  count: number;
  function_name?: string;
  branches?: Array<{ count: number; throw?: boolean }>;
}
interface GcovJsonFunction {
  name: string;
  demangled_name?: string;
  start_line: number;
  end_line: number;
  execution_count?: number;
}
interface GcovJsonFile {
  file: string;
  lines?: GcovJsonLine[];
  functions?: GcovJsonFunction[];
}
interface GcovJsonDoc {
  format_version?: string;
  files?: GcovJsonFile[];
}

/**
 * A source path as the compiler recorded it, made relative to the kernel tree: absolute paths under `srcRoot`,
 * paths relative to the compile's directory (kbuild's `../src/...` with O=), or already tree-relative ones
 * (-ffile-prefix-map). Null for files outside the tree (the compiler's own headers).
 */
export function treeRelative(file: string, cwd: string, srcRoot: string): string | null {
  const root = posix.normalize(srcRoot).replace(/\/$/, '');
  const under = (p: string) => (p === root ? null : p.startsWith(`${root}/`) ? p.slice(root.length + 1) : null);
  if (isAbsolute(file)) return under(posix.normalize(file));
  const resolved = under(posix.resolve(cwd, file));
  if (resolved) return resolved;
  const plain = posix.normalize(file);
  return plain.startsWith('../') ? null : plain;
}

/**
 * Every JSON document in gcov's stdout (one per data file, each on its own line) added into `into`. Relative
 * source names are the compiler's, relative to where it ran (`compileDir`, the build directory), not to gcov's.
 */
export function addGcovJson(into: CountsByFile, stdout: string, srcRoot: string, compileDir: string): void {
  for (const text of stdout.split('\n')) {
    if (!text.trim().startsWith('{')) continue;
    const doc = JSON.parse(text) as GcovJsonDoc;
    if (doc.format_version !== '1') throw new Error(`gcov JSON format_version ${String(doc.format_version)}: this reader knows format 1 (GCC 12)`);
    for (const f of doc.files ?? []) {
      const path = treeRelative(f.file, compileDir, srcRoot);
      if (!path) continue;
      const entry = into.get(path) ?? { lines: new Map<number, LineCount>(), functions: [] };
      for (const l of f.lines ?? []) {
        const branches = (l.branches ?? []).filter((b) => !b.throw).map((b) => b.count);
        entry.lines.set(l.line_number, addLine(entry.lines.get(l.line_number), { count: l.count, function: l.function_name ?? null, branches }));
      }
      for (const fn of f.functions ?? []) {
        const name = fn.demangled_name ?? fn.name;
        const had = entry.functions.find((g) => g.name === name && g.start === fn.start_line);
        if (had) had.count += fn.execution_count ?? 0;
        else entry.functions.push({ name, start: fn.start_line, end: fn.end_line, count: fn.execution_count ?? 0 });
      }
      into.set(path, entry);
    }
  }
}

/**
 * Two readings of one line added: counts summed; branch counts summed edge by edge when they are the same
 * jumps (one object read twice), listed side by side when they are not (a header line compiled into two objects).
 */
export function addLine(had: LineCount | undefined, l: LineCount): LineCount {
  if (!had) return l;
  const same = had.branches.length === l.branches.length;
  return {
    count: had.count + l.count,
    function: l.function ?? had.function,
    branches: same ? had.branches.map((b, i) => b + l.branches[i]!) : [...had.branches, ...l.branches],
  };
}

/** The function a line is in: gcov's own name for the line, else the innermost function range holding it. */
export function functionAt(counts: FileCounts | undefined, line: number): string | null {
  if (!counts) return null;
  const own = counts.lines.get(line)?.function;
  if (own) return own;
  let best: FunctionRange | null = null;
  for (const f of counts.functions) {
    if (f.start <= line && line <= f.end && (!best || f.end - f.start < best.end - best.start)) best = f;
  }
  return best?.name ?? null;
}
