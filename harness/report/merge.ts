// `report merge`: several runs' result files (run@1 result.json, ci@1 ci.json, bisect@1 bisect.json) in one
// summary, as the last job of a fanned-out CI pipeline needs it. Pure over the parsed documents.
import type { RunResult } from '../model/result.js';
import type { CiResult } from '../model/ci.js';
import type { BisectResult } from '../model/bisect.js';
import { cell, table } from './markdown.js';

export type MergeInput = { readonly file: string } & ({ readonly kind: 'run'; readonly doc: RunResult } | { readonly kind: 'ci'; readonly doc: CiResult } | { readonly kind: 'bisect'; readonly doc: BisectResult });

export interface MergedEntry {
  readonly file: string;
  readonly kind: 'run' | 'ci' | 'bisect';
  /** What it is about: the kernel source (and series), or the bisect's case. */
  readonly subject: string;
  readonly verdict: string;
  readonly ok: boolean;
  /** One line per case: `name: verdict` (run), `name: base -> series (change)` (ci). */
  readonly cases: readonly string[];
}

export interface MergedReport {
  readonly schema: 'sea-harness/merge@1';
  readonly ok: boolean;
  readonly entries: readonly MergedEntry[];
}

/** Recognise a parsed JSON document by its schema; null when it is none of ours. */
export function classify(file: string, doc: unknown): MergeInput | null {
  const schema = (doc as { schema?: unknown } | null)?.schema;
  if (schema === 'sea-harness/run@1') return { file, kind: 'run', doc: doc as RunResult };
  if (schema === 'sea-harness/ci@1') return { file, kind: 'ci', doc: doc as CiResult };
  if (schema === 'sea-harness/bisect@1') return { file, kind: 'bisect', doc: doc as BisectResult };
  return null;
}

function entry(input: MergeInput): MergedEntry {
  switch (input.kind) {
    case 'run': {
      const r = input.doc;
      return { file: input.file, kind: 'run', subject: `${r.kernel.source}${r.kernel.series.length ? ` + ${r.kernel.series.length} patch(es)` : ''}`, verdict: r.verdict, ok: r.verdict === 'pass', cases: r.cases.map((c) => `${c.name}: ${c.verdict}${c.met ? '' : ` (expected ${c.expected})`}`) };
    }
    case 'ci': {
      const r = input.doc;
      return { file: input.file, kind: 'ci', subject: `${r.base.source} + ${r.apply.length} patch(es): ${r.apply[0]?.subject ?? ''}`, verdict: r.verdict, ok: r.verdict === 'ok', cases: r.cases.map((c) => `${c.name}: ${c.base ?? 'absent'} -> ${c.series ?? 'absent'} (${c.change})`) };
    }
    case 'bisect': {
      const r = input.doc;
      return { file: input.file, kind: 'bisect', subject: `bisect of ${r.case} in ${r.kernel}`, verdict: r.culprit ? `${r.culprit.confirmed ? 'culprit' : 'unconfirmed culprit'} ${r.culprit.commit.slice(0, 12)} ${r.culprit.subject}` : `no culprit (${r.candidates.length} candidates)`, ok: Boolean(r.culprit?.confirmed), cases: [] };
    }
  }
}

export function mergeReports(inputs: readonly MergeInput[]): MergedReport {
  const entries = inputs.map(entry);
  return { schema: 'sea-harness/merge@1', ok: entries.every((e) => e.ok), entries };
}

export function renderMergedMarkdown(m: MergedReport): string {
  const rows = m.entries.map((e) => [e.kind, cell(e.subject), e.ok ? e.verdict : `**${e.verdict}**`, cell(e.cases.join('; ')), `\`${e.file}\``]);
  return [`# sea-harness: ${m.entries.length} result(s), ${m.entries.filter((e) => !e.ok).length} not ok`, '', ...table(['kind', 'what', 'verdict', 'cases', 'file'], rows)].join('\n') + '\n';
}
