// Finds the next occurrence of a string in the input from offsets that only grow, so that each part of the input is searched once.

/** No occurrence up to the end of the input: beyond any string's length, and a small integer, so offsets stay integers in optimised code. */
export const NOWHERE = 2 ** 30;

/**
 * The parser asks "where is the next `#` (or `ok `, `Bail out!`) from
 * here?" on most lines, at offsets that grow as it reads. A JavaScript loop
 * over the characters costs several times indexOf's native scan; but
 * indexOf does not stop at the end of the line, and a search per line on
 * input without the string would make the parse quadratic. This remembers
 * the last answer, which holds for every offset between the search's start
 * and the occurrence found.
 */
export class NextMatch {
  private from = NOWHERE;
  private at = NOWHERE;

  constructor(
    private readonly input: string,
    private readonly needle: string,
  ) {}

  /** Offset of the first occurrence at or after `from`, or NOWHERE. */
  find(from: number): number {
    if (from < this.from || from > this.at) {
      this.from = from;
      const i = this.input.indexOf(this.needle, from);
      this.at = i === -1 ? NOWHERE : i;
    }
    return this.at;
  }

  /** Whether an occurrence lies whole between `from` and `end`. */
  within(from: number, end: number): boolean {
    return this.find(from) + this.needle.length <= end;
  }
}
