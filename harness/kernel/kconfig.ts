// One kernel config for every run: allnoconfig plus the union of all fragments; merging and verification are pure.

export type KconfigValue = string; // 'y', 'm', 'n', a number or a quoted string

export interface KconfigFragment {
  /** Where the fragment comes from, for error messages (e.g. "guests/virt-ras-nested.json"). */
  readonly origin: string;
  readonly symbols: ReadonlyMap<string, KconfigValue>;
}

export interface MergeConflict {
  readonly symbol: string;
  readonly values: ReadonlyArray<{ origin: string; value: KconfigValue }>;
}

/** Parse `CONFIG_X=y` / `# CONFIG_X is not set` lines; other lines (comments, blanks) are ignored. */
export function parseKconfigText(text: string): Map<string, KconfigValue> {
  const out = new Map<string, KconfigValue>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    let m = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(line);
    if (m) {
      out.set(m[1]!, m[2]!);
      continue;
    }
    m = /^# (CONFIG_[A-Za-z0-9_]+) is not set$/.exec(line);
    if (m) out.set(m[1]!, 'n');
  }
  return out;
}

export function fragmentFromLines(origin: string, lines: readonly string[]): KconfigFragment {
  return { origin, symbols: parseKconfigText(lines.join('\n')) };
}

/**
 * Union of fragments. Two fragments that ask for different values of one symbol are a conflict (the
 * harness's own data must agree; a user's --config fragment comes last and wins, so it is passed as
 * `overrides`).
 */
export function mergeFragments(
  fragments: readonly KconfigFragment[],
  overrides: readonly KconfigFragment[] = [],
): { merged: Map<string, KconfigValue>; conflicts: MergeConflict[] } {
  const merged = new Map<string, KconfigValue>();
  const origins = new Map<string, Array<{ origin: string; value: KconfigValue }>>();
  for (const f of fragments) {
    for (const [sym, value] of f.symbols) {
      const list = origins.get(sym) ?? [];
      list.push({ origin: f.origin, value });
      origins.set(sym, list);
      merged.set(sym, value);
    }
  }
  const conflicts: MergeConflict[] = [];
  for (const [symbol, values] of origins) {
    if (new Set(values.map((v) => v.value)).size > 1) conflicts.push({ symbol, values });
  }
  for (const f of overrides) for (const [sym, value] of f.symbols) merged.set(sym, value);
  return { merged, conflicts };
}

/** The fragment as a file for KCONFIG_ALLCONFIG: sorted, so equal sets give equal bytes. */
export function renderFragment(symbols: ReadonlyMap<string, KconfigValue>): string {
  return (
    [...symbols]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => (v === 'n' ? `# ${k} is not set` : `${k}=${v}`))
      .join('\n') + '\n'
  );
}

export interface DroppedSymbol {
  readonly symbol: string;
  readonly wanted: KconfigValue;
  readonly got: KconfigValue;
}

/** Every requested symbol must have its requested value in the final .config. */
export function verifyConfig(requested: ReadonlyMap<string, KconfigValue>, final: ReadonlyMap<string, KconfigValue>): DroppedSymbol[] {
  const dropped: DroppedSymbol[] = [];
  for (const [symbol, wanted] of requested) {
    const got = final.get(symbol) ?? 'n';
    if (got !== wanted) dropped.push({ symbol, wanted, got });
  }
  return dropped;
}

export interface KconfigEntry {
  readonly file: string;
  readonly dependsOn: readonly string[];
  readonly selectedOnlyIf?: boolean;
}

/**
 * The `depends on` lines of one symbol's `config` entry in Kconfig text. Enough to name unmet dependencies
 * in an error; the real resolution is done by the kernel's own kconfig.
 */
export function dependsOfSymbol(kconfigText: string, name: string): { found: boolean; dependsOn: string[]; hasPrompt: boolean } {
  const lines = kconfigText.split('\n');
  const header = new RegExp(`^\\s*(menu)?config\\s+${name}\\s*$`);
  for (let i = 0; i < lines.length; i++) {
    if (!header.test(lines[i]!)) continue;
    const dependsOn: string[] = [];
    let hasPrompt = false;
    for (let j = i + 1; j < lines.length; j++) {
      const l = lines[j]!;
      if (/^\S/.test(l) && l.trim() !== '') break; // next top-level statement
      const m = /^\s+depends on\s+(.+)$/.exec(l);
      if (m) dependsOn.push(m[1]!.trim());
      if (/^\s+(bool|tristate|string|int|hex)\s+"/.test(l) || /^\s+prompt\s+"/.test(l)) hasPrompt = true;
    }
    return { found: true, dependsOn, hasPrompt };
  }
  return { found: false, dependsOn: [], hasPrompt: false };
}

/** Symbol names used in a dependency expression (`A && (B || !C)` -> A, B, C). */
export function symbolsInExpression(expr: string): string[] {
  return [...new Set((expr.match(/[A-Z][A-Z0-9_]+/g) ?? []).filter((s) => s !== 'if'))];
}
