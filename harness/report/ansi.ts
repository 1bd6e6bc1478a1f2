// ANSI colours for the human reporter, applied only when RenderOptions.color is true.
import type { Outcome } from './outcome.js';

export interface Palette {
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;

const COLOR: Palette = { green: wrap(32, 39), red: wrap(31, 39), yellow: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
const identity = (s: string) => s;
const PLAIN: Palette = { green: identity, red: identity, yellow: identity, dim: identity, bold: identity };

export function palette(color: boolean): Palette {
  return color ? COLOR : PLAIN;
}

/** Colour for an outcome: green passed, yellow skipped or expected, red failed. */
export function paint(p: Palette, outcome: Outcome, s: string): string {
  switch (outcome) {
    case 'pass':
      return p.green(s);
    case 'skip':
    case 'xfail':
      return p.yellow(s);
    case 'fail':
    case 'error':
      return p.red(s);
  }
}
