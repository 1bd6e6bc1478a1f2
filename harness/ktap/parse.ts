// Parses KTAP / TAP 13 / TAP 14 / kselftest output into the `sea-harness/ktap@1` document: one pass over the input by offsets, pure, never throws.
// The choices it makes where the formats leave room are listed in index.ts.
import type { KtapDocument } from '../model/ktap.js';
import { consolePrefixEnd, type PrefixShape } from './console-prefix.js';
import { GlueScanner, findSplit } from './glued.js';
import { Level, appendDiagnostic, type TestBuilder } from './level.js';
import {
  BAIL_OUT,
  LINE_PATTERNS,
  classify,
  isBlankRun,
  diagnosticStart,
  hasPrefixAt,
  isBlankLine,
  isYamlEnd,
  isYamlStart,
  matchLine,
  prefixEnd,
  sameText,
  skipBlanks,
  tail,
  versionOf,
  type LineKind,
} from './line-types.js';
import { NextMatch } from './next-match.js';
import { parsePlan } from './plan.js';
import { newResultLine, parseResultLine, type ResultLine } from './result-line.js';
import { parseTotals } from './totals.js';

type PopMode = 'result' | 'cut' | 'input';

/**
 * How deep documents nest, at most. Real output nests a few levels (the
 * kselftest runner, a KUnit suite, a parameterised test); the limit keeps
 * a document that the reporters and JSON.stringify, which recurse over
 * subtests, can write (JSON.stringify fails between 1,000 and 5,000 levels).
 * Lines that would open a deeper document are unknown lines of the deepest one.
 */
export const MAX_DEPTH = 200;

/** The part of a line after a glued line was cut off: read next, as a line whose nesting prefix is `prefix`. */
interface Rest {
  readonly s: string;
  readonly from: number;
  readonly end: number;
  readonly prefix: string;
  readonly inInput: boolean;
}

/*
 * Every line is read where it lies in the input, by offsets (`s`, `start`,
 * `end`: see line-types.ts): the only strings made are the ones the
 * document keeps (diagnostics, names, reasons) and, on rare lines, the
 * line itself (a pattern of LINE_PATTERNS to match, glued lines to split).
 * On 50 MB of kselftest output, a string per line and the garbage around
 * it were most of the parse time.
 */
class Parser {
  private readonly root = new Level('', null, 1, null);
  private readonly glue: GlueScanner;
  /** Where the input's next `#` is: a result's comment starts at one. */
  private readonly hashes: NextMatch;
  /** The result line being read (one instance, reused). */
  private readonly result: ResultLine = newResultLine();
  /** The open documents, outermost first. */
  private readonly levels: Level[] = [this.root];
  /** A Level per depth, reopened for each nested document at that depth (see Level). */
  private readonly spare: Level[] = [];
  /** The console prefix found before the version line (see console-prefix.ts), removed from every line that has one like it. */
  private consolePrefix: PrefixShape | null = null;
  /** Where the input's next version line may be: a console prefix is only looked for on lines that hold one. */
  private readonly versions: NextMatch;
  private yaml: { indent: string; test: TestBuilder } | null = null;
  /** The result on the line just read (a YAML block may follow it), and its prefix. */
  private lastResult: TestBuilder | null = null;
  private lastResultPrefix = '';

  constructor(private readonly input: string) {
    this.glue = new GlueScanner(input);
    this.hashes = new NextMatch(input, '#');
    this.versions = new NextMatch(input, 'TAP version 1');
  }

  /** Read the input's line from `start` to `end` (without its line ending). */
  line(start: number, end: number, lineNo: number): void {
    const s = this.input;
    if (this.consolePrefix !== null) start = consolePrefixEnd(s, start, end, this.consolePrefix);
    else if (this.levels.length === 1 && !this.root.started && this.root.version === null) start = this.findConsolePrefix(start, end);
    if (this.yaml !== null && this.yamlLine(start, end)) return;
    if (isBlankLine(s, start, end)) return;
    const after = this.lastResult;
    this.lastResult = null;
    if (after !== null && isYamlStart(s, start, end, this.lastResultPrefix)) {
      this.yaml = { indent: s.slice(start, s.indexOf('---', start)), test: after };
      return;
    }
    // Glued lines are read one after the other, in a loop: kselftest can glue thousands of results on one line.
    let rest = this.dispatch(s, start, end, lineNo, true, true, -1);
    while (rest !== null) rest = this.readRest(rest, lineNo);
  }

  /**
   * Before the document starts: whether this line is the version line behind
   * a console prefix (kunit_tool: the text before the first version line is
   * the prefix of every line). Returns where the line starts once the prefix
   * is removed.
   */
  private findConsolePrefix(start: number, end: number): number {
    const s = this.input;
    if (!this.versions.within(start, end)) return start;
    const found: { shape: PrefixShape | null } = { shape: null };
    const p = consolePrefixEnd(s, start, end, null, found);
    if (p === start || classify(s, skipBlanks(s, p, end), end) !== 'version') return start;
    this.consolePrefix = found.shape;
    return p;
  }

  /** A line inside a YAML block: true when it was consumed. */
  private yamlLine(start: number, end: number): boolean {
    const s = this.input;
    const yaml = this.yaml!;
    if (isBlankLine(s, start, end)) return true;
    if (!hasPrefixAt(s, start, end, yaml.indent)) {
      this.yaml = null;
      return false;
    }
    const from = start + yaml.indent.length;
    if (isYamlEnd(s, from, end)) this.yaml = null;
    else appendDiagnostic(yaml.test, tail(s, from, end));
    return true;
  }

  /**
   * Read the line of `s` from `start` to `end`. `split`: whether to look for
   * several KTAP lines glued on this one (false for the first part of a line
   * already split). `inInput`: whether `s` is the input (not a part of a
   * split line), which the glue scanner can answer for. `at`: -1, or the
   * level whose nesting prefix the line has, already left out (the rest of a
   * split line). Returns the rest of the line when a glued line was cut off.
   */
  private dispatch(s: string, start: number, end: number, lineNo: number, split: boolean, inInput: boolean, at: number): Rest | null {
    const levels = this.levels;
    let i = at;
    let own = start;
    if (at < 0) {
      i = levels.length - 1;
      while (i > 0 && !hasPrefixAt(s, start, end, levels[i]!.prefix)) i--;
      const prefix = levels[i]!.prefix;
      // The root may have taken the indentation of an excerpt: lines with less of it are still read.
      own = start + (prefix.length === 0 || i > 0 || hasPrefixAt(s, start, end, prefix) ? prefix.length : 0);
    }
    const level = levels[i]!;
    const body = prefixEnd(s, own, end);
    const kind = classify(s, body, end);
    const innermost = i === levels.length - 1;
    const deeper = body > own && !this.sameKtapLevel(level, innermost, kind, s, own, body);
    if (kind === 'other' || kind === 'unreadable' || (deeper && (!innermost || levels.length >= MAX_DEPTH))) {
      return this.unstructured(s, start, end, lineNo, split, inInput, at, level, own, body, innermost, kind === 'unreadable');
    }

    if (deeper && this.adoptRootIndent(i, s, own, body)) return this.dispatch(s, start, end, lineNo, split, inInput, -1);
    const r = kind === 'result' && parseResultLine(s, body, end, this.firstHash(s, body, end, inInput), this.result) ? this.result : null;
    const from = r?.textStart ?? body + 2;
    if (split && kind === 'result' && this.mayGlue(s, from, end, inInput)) {
      const next = r !== null && r.number !== null ? r.number + 1 : null;
      const cut = findSplit(s, body, from, next, end, this.bailAfter(s, body, inInput));
      // The rest of a split result line keeps the result's own prefix: it is its next sibling.
      if (cut > start) return this.splitAt(s, start, end, at < 0 ? s.slice(start, body) : level.prefix, cut, lineNo, inInput, at);
    }
    let target = level;
    let idx = i;
    if (deeper) {
      target = this.openLevel(s, start, body, level, lineNo);
      idx = levels.length - 1;
    }
    this.structural(kind, target, idx, s, body, end, r, lineNo);
    return null;
  }

  /**
   * ktap.rst "Nested tests": a subtest begins with its own version line, and
   * one level of indentation is two spaces. In a KTAP document, a plan,
   * result or bail-out indented deeper than the innermost open document
   * without a version line opening a new one is that document's line
   * (kunit_tool's test_is_test_passed-failure-nested.log reads so). TAP 13/14
   * and the kselftest runner's `# ` prefix nest without version lines.
   */
  private sameKtapLevel(level: Level, innermost: boolean, kind: LineKind, s: string, own: number, body: number): boolean {
    return innermost && level.version === 'KTAP version 1' && kind !== 'version' && isBlankRun(s, own, body);
  }

  /** The first `Bail out!` after `body` on the line, searched once per input when the line is the input's. */
  private bailAfter(s: string, body: number, inInput: boolean): number {
    return inInput ? this.glue.nextBailOut(body + 1) : s.indexOf(BAIL_OUT, body + 1);
  }

  /**
   * A line that is not a version, plan, result or bail-out of `level` (or
   * one that is, behind a prefix no open level has): a `# Subtest:` header,
   * a diagnostic or an unknown line, or several lines glued together.
   */
  private unstructured(
    s: string,
    start: number,
    end: number,
    lineNo: number,
    split: boolean,
    inInput: boolean,
    at: number,
    level: Level,
    own: number,
    body: number,
    innermost: boolean,
    unreadable: boolean,
  ): Rest | null {
    if (s.charCodeAt(body) === 0x53 /* S */ && s.startsWith('Subtest:', body) && this.subtestHeader(s, start, end, own, level, innermost, lineNo)) return null;
    if (split && this.mayGlue(s, body + 1, end, inInput)) {
      const cut = findSplit(s, body, body, level.nextNumber, end, this.bailAfter(s, body, inInput));
      // The rest of a split diagnostic drops the diagnostic's `#`: it is a line of the diagnostic's level.
      if (cut > start) return this.splitAt(s, start, end, level.prefix, cut, lineNo, inInput, at);
    }
    if (unreadable && body === own) {
      level.problems.add('unreadable-result', lineNo, `cannot read this as a result line: ${tail(s, body, end)}`);
    }
    const k = skipBlanks(s, own, end);
    if (k === end || s.charCodeAt(k) !== 0x23 /* # */) {
      level.addDiagnostic(tail(s, own, end));
      return null;
    }
    const from = diagnosticStart(s, k, end);
    if (s.charCodeAt(from) === 0x54 /* T */) {
      const totals = parseTotals(s, from, end);
      // A totals line counts the innermost open document: kselftest prints it
      // after its own last result, KUnit at the parent's indentation just
      // before the suite's result line, while the suite is still open.
      if (totals !== null) this.levels[this.levels.length - 1]!.totals = totals;
    }
    level.addDiagnostic(tail(s, from, end));
    return null;
  }

  /**
   * Read the line from `start` to `end` as two: up to `cut` now, and the
   * rest from `cut` on, returned to be read next as a line whose nesting
   * prefix is `prefix`. `at`: as for dispatch(), for both parts.
   */
  private splitAt(s: string, start: number, end: number, prefix: string, cut: number, lineNo: number, inInput: boolean, at: number): Rest {
    // The first part is a string of its own: the line's checks read one character past its end (see line-types.ts).
    const first = s.slice(start, cut);
    this.dispatch(first, 0, first.length, lineNo, false, false, at);
    return { s, from: cut, end, prefix, inInput };
  }

  /**
   * Read the rest of a split line. It is read where it lies when an open
   * level has its prefix (always, but after a first part that opened or
   * closed levels); otherwise as a line of its own, prefix and rest.
   */
  private readRest(rest: Rest, lineNo: number): Rest | null {
    const levels = this.levels;
    for (let j = levels.length - 1; j >= 0; j--) {
      if (levels[j]!.prefix === rest.prefix) return this.dispatch(rest.s, rest.from, rest.end, lineNo, true, rest.inInput, j);
    }
    const line = rest.prefix + rest.s.slice(rest.from, rest.end);
    return this.dispatch(line, 0, line.length, lineNo, true, false, -1);
  }

  /** The line's first `#` from `from` on, or -1. */
  private firstHash(s: string, from: number, end: number, inInput: boolean): number {
    const i = inInput ? this.hashes.find(from) : s.indexOf('#', from);
    return i < end ? i : -1;
  }

  /** Whether the line may hold glued lines from `from` to `end`: always for parts of a split line, else as the glue scanner says. */
  private mayGlue(s: string, from: number, end: number, inInput: boolean): boolean {
    return !inInput || this.glue.mayHold(from, end);
  }

  /** An excerpt indented as a whole (`    TAP version 13` on its first KTAP line) is not nested: the root takes that indentation. */
  private adoptRootIndent(i: number, s: string, own: number, body: number): boolean {
    const root = this.root;
    if (i !== 0 || this.levels.length !== 1 || root.started || root.version !== null || root.prefix !== '') return false;
    const extra = s.slice(own, body);
    if (extra.includes('#')) return false;
    root.prefix = extra;
    return true;
  }

  private subtestHeader(s: string, start: number, end: number, own: number, level: Level, innermost: boolean, lineNo: number): boolean {
    const m = matchLine(LINE_PATTERNS.subtest, s, own, end);
    if (m === null) return false;
    const indent = m[1]!;
    const name = m[2]!.trim();
    if (indent === '') {
      level.subtestHeader(name);
      return true;
    }
    if (!innermost || this.levels.length >= MAX_DEPTH) return false;
    // Old KUnit opens a nested document with an indented `# Subtest:` and no version line.
    this.openLevel(s, start, own + indent.length, level, lineNo).subtestHeader(name);
    return true;
  }

  /** Open a nested document under `parent`, whose lines start with the text from `from` to `to`. */
  private openLevel(s: string, from: number, to: number, parent: Level, lineNo: number): Level {
    const depth = this.levels.length;
    const name = parent.takeChildName();
    let level = this.spare[depth];
    if (level === undefined) {
      level = new Level(s.slice(from, to), parent, lineNo, name);
      this.spare[depth] = level;
    } else {
      // Consecutive documents at one depth mostly have the same prefix: its string is kept.
      level.open(sameText(level.prefix, s, from, to) ? level.prefix : s.slice(from, to), parent, lineNo, name);
    }
    this.levels.push(level);
    return level;
  }

  private structural(kind: LineKind, target: Level, idx: number, s: string, body: number, end: number, r: ResultLine | null, lineNo: number): void {
    switch (kind) {
      case 'version':
        if (target.version === null && !target.started && idx === this.levels.length - 1) target.version = versionOf(s, body);
        // A second version line at a level (two outputs concatenated) is kept as an unknown line.
        else target.addDiagnostic(tail(s, body, end));
        return;
      case 'plan':
        this.cutDeeper(idx, lineNo);
        target.setPlan(parsePlan(s, body, end), lineNo);
        return;
      case 'bailout':
        this.cutDeeper(idx, lineNo);
        target.setBailout(s.slice(body + BAIL_OUT.length, end).trim(), lineNo);
        return;
      case 'result': {
        const child = this.popTo(idx, lineNo, 'result');
        if (r === null) {
          if (child !== null) target.addCutChild(child, lineNo, false);
          const text = tail(s, body, end);
          target.problems.add('unreadable-result', lineNo, `cannot read this as a result line: ${text}`);
          target.addDiagnostic(text);
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
   * its subtests; levels below that one were cut off. The caller hands the
   * returned level over to level `idx` before any other line is read.
   */
  private popTo(idx: number, lineNo: number, mode: PopMode): Level | null {
    let child: Level | null = null;
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
      problems,
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
    parser.line(start, stop, lineNo);
    start = end + 1;
  }
  return parser.finish(lineNo);
}
