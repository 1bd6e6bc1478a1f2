// Deviations from the format, recorded as data while parsing (never thrown), with the nesting path they occurred in.
import type { KtapProblem, ProblemKind } from '../model/ktap.js';

/** A problem as the document reports it; its message gains the path of the tests that enclose it when the parse ends. */
type Problem = { -readonly [K in keyof KtapProblem]: KtapProblem[K] };

/**
 * The problems of one document, in the order they were found. A nested
 * document's problems move to the enclosing one once its test is read,
 * gathering the labels of the tests they are in. The labels are kept
 * beside the problems (in `paths`) rather than in them, so that each
 * problem is one object from start to end: a long kselftest run with
 * malformed output has tens of thousands.
 */
export class ProblemList {
  private readonly items: Problem[] = [];
  /** For each problem, the labels of the tests enclosing it, outermost first, joined by ` > `; null for none. */
  private readonly paths: (string | null)[] = [];

  get length(): number {
    return this.items.length;
  }

  add(kind: ProblemKind, line: number | null, message: string): void {
    this.items.push({ kind, line, message });
    this.paths.push(null);
  }

  /** Take over the problems of a nested document, whose test is labelled `label`; `from` is left empty. */
  adopt(from: ProblemList, label: string): void {
    for (let i = 0; i < from.items.length; i++) {
      const path = from.paths[i]!;
      this.items.push(from.items[i]!);
      this.paths.push(path === null ? label : `${label} > ${path}`);
    }
    from.clear();
  }

  clear(): void {
    // Setting an array's length is a call into the runtime: skipped for the many documents without problems.
    if (this.items.length === 0) return;
    this.items.length = 0;
    this.paths.length = 0;
  }

  /** The document's problems: in input order, nested ones saying which subtests they are in. */
  finish(): KtapProblem[] {
    for (let i = 0; i < this.items.length; i++) {
      const path = this.paths[i]!;
      if (path !== null) this.items[i]!.message = `in the subtests of ${path}: ${this.items[i]!.message}`;
    }
    // Array.prototype.sort is stable: problems of one line keep the order they were found in.
    return this.items.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
  }
}

/** How a test is named in problem messages: `test 3 (selftests: kvm: sea_to_user)`. */
export function testLabel(number: number | null, name: string): string {
  const n = number === null ? 'test' : `test ${number}`;
  return name === '' ? n : `${n} (${name})`;
}
