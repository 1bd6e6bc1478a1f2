// Parses KTAP / TAP 13 / TAP 14 / kselftest output into the `sea-harness/ktap@1` document: one pass, pure, never throws.
// The choices it makes where the formats leave room are listed in index.ts.
import type { KtapDocument } from '../model/ktap.js';
import { GlueScanner, findSplit } from './glued.js';
import { Level, appendDiagnostic, type FinishedLevel, type TestBuilder } from './level.js';
import {
  BAIL_OUT,
  LINE_PATTERNS,
  classify,
  diagnosticStart,
  hasPrefix,
  isBlank,
  isYamlStart,
  matchAt,
  prefixEnd,
  skipBlanks,
  tail,
  versionOf,
  type LineKind,
} from './line-types.js';
import { parsePlan } from './plan.js';
import { finishProblems, problem } from './problems.js';
import { newResultLine, parseResultLine, type ResultLine } from './result-line.js';
import { parseTotals } from './totals.js';

type PopMode = 'result' | 'cut' | 'input';

class Parser {
  private readonly root = new Level('', null, 1, null);
  private readonly glue: GlueScanner;
  /** The result line being read (one instance, reused). */
  private readonly result: ResultLine = newResultLine();
  private readonly levels: Level[] = [this.root];
  private timestamps = false;
  private yaml: { indent: string; test: TestBuilder } | null = null;
  /** The result on the line just read (a YAML block may follow it), and its prefix. */
  private lastResult: TestBuilder | null = null;
  private lastResultPrefix = '';

  constructor(input: string) {
    this.glue = new GlueScanner(input);
  }

  /** Read the line `raw`, which starts at offset `base` of the input. */
  line(raw: string, lineNo: number, base: number): void {
    const text = raw.charCodeAt(0) === 0x5b /* [ */ ? this.stripTimestamp(raw) : raw;
    if (this.yaml !== null && this.yamlLine(text)) return;
    if (isBlank(text)) return;
    const after = this.lastResult;
    this.lastResult = null;
    if (after !== null && isYamlStart(text, this.lastResultPrefix)) {
      this.yaml = { indent: text.slice(0, text.indexOf('---')), test: after };
      return;
    }
    this.dispatch(text, lineNo, true, base + raw.length - text.length);
  }

  private stripTimestamp(text: string): string {
    if (!this.timestamps) {
      if (this.levels.length > 1 || this.root.started || this.root.version !== null) return text;
      const m = matchAt(LINE_PATTERNS.printkTimestamp, text, 0);
      if (m === null || matchAt(LINE_PATTERNS.version, text, m[0].length) === null) return text;
      this.timestamps = true;
    }
    const m = matchAt(LINE_PATTERNS.printkTimestamp, text, 0);
    return m === null ? text : text.slice(m[0].length);
  }

  /** A line inside a YAML block: true when it was consumed. */
  private yamlLine(text: string): boolean {
    const yaml = this.yaml!;
    if (isBlank(text)) return true;
    if (!text.startsWith(yaml.indent)) {
      this.yaml = null;
      return false;
    }
    if (matchAt(LINE_PATTERNS.yamlEnd, text, yaml.indent.length) !== null) this.yaml = null;
    else appendDiagnostic(yaml.test, tail(text, yaml.indent.length));
    return true;
  }

  /**
   * Read one line. `split`: whether to look for several KTAP lines glued on
   * this one (false for the first part of a line already split). Offsets are
   * used instead of slices: this runs on every line of 50 MB inputs.
   */
  private dispatch(text: string, lineNo: number, split: boolean, base: number): void {
    const levels = this.levels;
    let i = levels.length - 1;
    while (i > 0 && !hasPrefix(text, levels[i]!.prefix)) i--;
    const level = levels[i]!;
    // The root may have taken the indentation of an excerpt: lines with less of it are still read.
    const own = level.prefix.length === 0 || i > 0 || hasPrefix(text, level.prefix) ? level.prefix.length : 0;
    const body = prefixEnd(text, own);
    const kind = classify(text, body);
    const innermost = i === levels.length - 1;
    if (kind === 'other' || kind === 'unreadable' || (body > own && !innermost)) {
      this.unstructured(text, lineNo, split, base, level, own, body, innermost, kind === 'unreadable');
      return;
    }

    if (body > own && this.adoptRootIndent(i, text, own, body)) {
      this.dispatch(text, lineNo, split, base);
      return;
    }
    const r = kind === 'result' && parseResultLine(text, body, this.result) ? this.result : null;
    const from = r?.textStart ?? body + 2;
    if (split && kind === 'result' && this.mayGlue(text, from, base)) {
      const next = r !== null && r.number !== null ? r.number + 1 : null;
      const cut = findSplit(text, body, from, next);
      // The rest of a split result line keeps the result's own prefix: it is its next sibling.
      if (cut > 0) return this.splitAt(text, body, cut, lineNo);
    }
    let target = level;
    let idx = i;
    if (body > own) {
      target = new Level(text.slice(0, body), level, lineNo, level.takeChildName());
      levels.push(target);
      idx = levels.length - 1;
    }
    this.structural(kind, target, idx, text, body, r, lineNo);
  }

  /**
   * A line that is not a version, plan, result or bail-out of `level` (or
   * one that is, behind a prefix no open level has): a `# Subtest:` header,
   * a diagnostic or an unknown line, or several lines glued together.
   */
  private unstructured(
    text: string,
    lineNo: number,
    split: boolean,
    base: number,
    level: Level,
    own: number,
    body: number,
    innermost: boolean,
    unreadable: boolean,
  ): void {
    if (text.charCodeAt(body) === 0x53 /* S */ && text.startsWith('Subtest:', body) && this.subtestHeader(text, own, level, innermost, lineNo)) return;
    if (split && this.mayGlue(text, body + 1, base)) {
      const cut = findSplit(text, body, body, level.nextNumber);
      // The rest of a split diagnostic drops the diagnostic's `#`: it is a line of the diagnostic's level.
      if (cut > 0) return this.splitAt(text, own, cut, lineNo);
    }
    if (unreadable && body === own) {
      level.problems.push(problem('unreadable-result', lineNo, `cannot read this as a result line: ${tail(text, body)}`));
    }
    const k = skipBlanks(text, own);
    if (text.charCodeAt(k) !== 0x23 /* # */) {
      level.addDiagnostic(tail(text, own));
      return;
    }
    const diag = tail(text, diagnosticStart(text, k));
    if (diag.charCodeAt(0) === 0x54 /* T */) {
      const totals = parseTotals(diag);
      // A totals line counts the innermost open document: kselftest prints it
      // after its own last result, KUnit at the parent's indentation just
      // before the suite's result line, while the suite is still open.
      if (totals !== null) this.levels[this.levels.length - 1]!.totals = totals;
    }
    level.addDiagnostic(diag);
  }

  /** Read `text` as two lines: up to `cut`, and `text`'s first `keep` characters followed by the rest from `cut`. */
  private splitAt(text: string, keep: number, cut: number, lineNo: number): void {
    // The parts are new strings, no longer slices of the input: base -1.
    this.dispatch(text.slice(0, cut), lineNo, false, -1);
    this.dispatch(text.slice(0, keep) + text.slice(cut), lineNo, true, -1);
  }

  /** Whether `text` may hold glued lines from `from` on; `base` is its offset in the input, or -1. */
  private mayGlue(text: string, from: number, base: number): boolean {
    return base < 0 || this.glue.mayHold(base + from, base + text.length);
  }

  /** An excerpt indented as a whole (`    TAP version 13` on its first KTAP line) is not nested: the root takes that indentation. */
  private adoptRootIndent(i: number, text: string, own: number, body: number): boolean {
    const root = this.root;
    if (i !== 0 || this.levels.length !== 1 || root.started || root.version !== null || root.prefix !== '') return false;
    const extra = text.slice(own, body);
    if (extra.includes('#')) return false;
    root.prefix = extra;
    return true;
  }

  private subtestHeader(text: string, own: number, level: Level, innermost: boolean, lineNo: number): boolean {
    const m = matchAt(LINE_PATTERNS.subtest, text, own);
    if (m === null) return false;
    const indent = m[1]!;
    const name = m[2]!.trim();
    if (indent === '') {
      level.subtestHeader(name);
      return true;
    }
    if (!innermost) return false;
    // Old KUnit opens a nested document with an indented `# Subtest:` and no version line.
    const child = new Level(text.slice(0, own + indent.length), level, lineNo, level.takeChildName());
    this.levels.push(child);
    child.subtestHeader(name);
    return true;
  }

  private structural(
    kind: LineKind,
    target: Level,
    idx: number,
    text: string,
    body: number,
    r: ResultLine | null,
    lineNo: number,
  ): void {
    switch (kind) {
      case 'version':
        if (target.version === null && !target.started && idx === this.levels.length - 1) target.version = versionOf(text, body);
        // A second version line at a level (two outputs concatenated) is kept as an unknown line.
        else target.addDiagnostic(tail(text, body));
        return;
      case 'plan':
        this.cutDeeper(idx, lineNo);
        target.setPlan(parsePlan(text, body), lineNo);
        return;
      case 'bailout':
        this.cutDeeper(idx, lineNo);
        target.setBailout(text.slice(body + BAIL_OUT.length).trim(), lineNo);
        return;
      case 'result': {
        const child = this.popTo(idx, lineNo, 'result');
        if (r === null) {
          if (child !== null) target.addCutChild(child, lineNo, false);
          target.problems.push(problem('unreadable-result', lineNo, `cannot read this as a result line: ${tail(text, body)}`));
          target.addDiagnostic(tail(text, body));
          return;
        }
        this.lastResult = target.addResult(r, child, lineNo);
        this.lastResultPrefix = target.prefix;
        return;
      }
      default:
        return;
    }
  }

  private cutDeeper(idx: number, lineNo: number): void {
    const child = this.popTo(idx, lineNo, 'cut');
    if (child !== null) this.levels[idx]!.addCutChild(child, lineNo, false);
  }

  /**
   * Close every level deeper than `idx`. With 'result', the level just below
   * `idx` is closed by the result line being read and is returned to become
   * its subtests; levels below that one were cut off.
   */
  private popTo(idx: number, lineNo: number, mode: PopMode): FinishedLevel | null {
    let child: FinishedLevel | null = null;
    while (this.levels.length - 1 > idx) {
      const j = this.levels.length - 1;
      const lvl = this.levels.pop()!;
      if (child !== null) lvl.addCutChild(child, lineNo, mode === 'input');
      child = lvl.finish(mode === 'result' && j === idx + 1 ? 'result' : 'cut', lineNo);
    }
    return child;
  }

  finish(lastLine: number): KtapDocument {
    this.yaml = null;
    const child = this.popTo(0, lastLine, 'input');
    if (child !== null) this.root.addCutChild(child, lastLine, true);
    const root = this.root;
    const { tests, problems, epilogue } = root.finishRoot(lastLine);
    return {
      schema: 'sea-harness/ktap@1',
      version: root.version,
      plan: root.plan,
      tests,
      bailout: root.bailout,
      totals: root.totals,
      problems: finishProblems(problems),
      preamble: root.header,
      epilogue,
    };
  }
}

/** Parse KTAP / TAP / kselftest output. Malformed input is reported in `problems`, never thrown. */
export function parseKtap(text: string): KtapDocument {
  const parser = new Parser(text);
  const n = text.length;
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let lineNo = 0;
  while (start < n) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = n;
    // CRLF: the \r is not part of the line (output captured from a serial console or Windows tools).
    const stop = end > start && text.charCodeAt(end - 1) === 0x0d ? end - 1 : end;
    lineNo++;
    parser.line(text.slice(start, stop), lineNo, start);
    start = end + 1;
  }
  return parser.finish(lineNo);
}
