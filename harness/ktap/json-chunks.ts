// The document as JSON.stringify(doc, null, 2) writes it, in chunks: a big document's JSON is longer than the longest string V8 can make.
//
// `parse --format json` on about 190 MB of kselftest output made more than
// 2^29 - 24 characters of JSON (buffer.constants.MAX_STRING_LENGTH), and
// JSON.stringify threw "Invalid string length". Written in chunks, the JSON
// of any document the parser can make (its input is under that limit)
// fits. Walked with an explicit stack: the document nests at most
// MAX_DEPTH tests deep, but the walk need not rely on it.

/** Chunks are cut once they reach this length: large enough that writing them costs little, small next to the limit. */
const CHUNK = 1 << 20;

type Frame =
  | { readonly kind: 'array'; readonly items: readonly unknown[]; i: number; readonly indent: string }
  | { readonly kind: 'object'; readonly entries: readonly [string, unknown][]; i: number; readonly indent: string };

function entriesOf(o: object): [string, unknown][] {
  // JSON.stringify leaves out properties whose value is undefined or a function.
  return Object.entries(o).filter(([, v]) => v !== undefined && typeof v !== 'function');
}

/**
 * The JSON text of `value` (plain data: objects, arrays, strings, numbers,
 * booleans, null), exactly as `JSON.stringify(value, null, 2)` followed by a
 * newline, as chunks whose concatenation is that text.
 */
export function* jsonChunks(value: unknown): Generator<string, void, undefined> {
  let buf = '';
  const stack: Frame[] = [];
  /** Write a value at the current position; containers are opened and left on the stack. */
  const open = (v: unknown, indent: string): void => {
    if (v === null || typeof v !== 'object') {
      buf += JSON.stringify(v) ?? 'null';
      return;
    }
    if (Array.isArray(v)) {
      if (v.length === 0) buf += '[]';
      else {
        buf += '[';
        stack.push({ kind: 'array', items: v, i: 0, indent });
      }
      return;
    }
    const entries = entriesOf(v);
    if (entries.length === 0) buf += '{}';
    else {
      buf += '{';
      stack.push({ kind: 'object', entries, i: 0, indent });
    }
  };
  open(value, '');
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    const inner = `${f.indent}  `;
    if (f.kind === 'array') {
      if (f.i === f.items.length) {
        buf += `\n${f.indent}]`;
        stack.pop();
      } else {
        buf += `${f.i === 0 ? '' : ','}\n${inner}`;
        const item = f.items[f.i++];
        // In arrays, JSON.stringify writes undefined and functions as null.
        open(item === undefined || typeof item === 'function' ? null : item, inner);
      }
    } else if (f.i === f.entries.length) {
      buf += `\n${f.indent}}`;
      stack.pop();
    } else {
      const [k, v] = f.entries[f.i++]!;
      buf += `${f.i === 1 ? '' : ','}\n${inner}${JSON.stringify(k)}: `;
      open(v, inner);
    }
    if (buf.length >= CHUNK) {
      yield buf;
      buf = '';
    }
  }
  yield `${buf}\n`;
}
