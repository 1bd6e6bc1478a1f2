// The ci result for people: report.md, a short reply for the mailing list (one line per change, then the
// details), and the same text as the human summary.
import { patchSummary } from '../coverage/text.js';
import type { CaseComparison, CiResult } from '../model/ci.js';
import { cell, coverageMarkdown, table } from '../report/markdown.js';
import { confinementText } from '../util/sandbox.js';

const VERDICT_LINE: Readonly<Record<CiResult['verdict'], string>> = {
  ok: 'no regression',
  regressed: 'REGRESSION',
  'apply-failed': 'the series does not apply',
  'build-failed': 'the series breaks the build',
  error: 'infrastructure error: no verdict on the series',
};

function changeLine(c: CaseComparison): string {
  const rerun = c.rerun ? ` (re-run: base ${c.rerun.base ?? 'absent'}, series ${c.rerun.series ?? 'absent'})` : '';
  const notes = c.change !== 'unchanged' && c.series === 'pass' ? (c.notes ?? []).map((n) => `\n  - note: ${n}`).join('') : '';
  return `- ${c.name}: **${c.change}** - ${c.detail}${rerun}${notes}`;
}

export function renderCiMarkdown(r: CiResult): string {
  const out = [`# sea-harness ci: ${VERDICT_LINE[r.verdict]}`, '', `Base: ${r.base.source}${r.base.commit ? ` (\`${r.base.commit.slice(0, 12)}\`)` : ''}${r.base.reused ? ', base results reused from the cache' : ''}. Series: ${r.apply.length} patch(es), guest ${r.provenance.guest}.`, ''];
  if (r.reason) out.push(`**${r.reason}**`, '');
  const changed = r.cases.filter((c) => c.change !== 'unchanged');
  const unchanged = r.cases.filter((c) => c.change === 'unchanged');
  out.push(...changed.map(changeLine));
  if (unchanged.length) out.push(`- unchanged: ${unchanged.map((c) => `${c.name} (${c.series ?? 'absent'})`).join(', ')}`);
  for (const c of r.cases) for (const w of c.newWarnings) out.push(`- new kernel ${w.kind} during ${c.name}: \`${w.line}\``);
  if (r.build.newWarnings.length) out.push(`- ${r.build.newWarnings.length} new compiler warning(s) with W=1`);
  if (r.build.newSelftestWarnings.length) out.push(`- ${r.build.newSelftestWarnings.length} new selftest warning(s)`);
  const cpTotal = r.apply.reduce((n, p) => n + (p.checkpatch ? p.checkpatch.errors + p.checkpatch.warnings : 0), 0);
  if (cpTotal) out.push(`- checkpatch: ${cpTotal} error(s)/warning(s)`);
  const coverageOf = (n: number) => {
    const c = r.coverage?.patches.find((p) => p.patch === n);
    return c ? cell(patchSummary(c, r.apply.length).replace(/^patch \d+\/\d+: /, '')) : r.coverageError ? 'not computed' : 'not measured';
  };
  const patchRows = r.apply.map((p) => [
    String(p.patch),
    cell(p.subject),
    p.applied ? 'yes' : '**no**',
    `${p.build}${p.buildError ? `: ${cell(p.buildError)}` : ''}`,
    p.checkpatch ? `${p.checkpatch.errors} errors, ${p.checkpatch.warnings} warnings` : 'not run',
    coverageOf(p.patch),
  ]);
  out.push('', '## Details', '', '### Patches', '', ...table(['#', 'subject', 'applied', 'build', 'checkpatch', 'coverage (kernel lines that ran)'], patchRows));
  if (r.coverage) out.push(...coverageMarkdown(r.coverage));
  if (r.coverageError) out.push('', `Patch coverage not computed: ${cell(r.coverageError)}`);
  const messages = r.apply.flatMap((p) => (p.checkpatch?.messages ?? []).map((m) => `- patch ${p.patch}: ${m}`));
  if (messages.length) out.push('', '### checkpatch', '', ...messages);
  out.push('', '### New compiler warnings (W=1, files the series touches)', '', ...(r.build.newWarnings.length ? r.build.newWarnings.map((w) => `- \`${w}\``) : ['none']));
  out.push('', '### New selftest warnings', '', ...(r.build.newSelftestWarnings.length ? r.build.newSelftestWarnings.map((w) => `- \`${w}\``) : ['none']));
  if (r.cases.length) {
    const caseRows = r.cases.map((c) => [c.name, c.base ?? 'absent', c.series ?? 'absent', c.change, cell((c.seriesReason ?? '').replace(/; backtrace: .*/, ''))]);
    out.push('', '### Cases', '', ...table(['case', 'base', 'series', 'change', 'series reason'], caseRows));
    const subs = r.cases.flatMap((c) => c.subtests.map((s) => `- ${c.name} / ${s.name}: ${s.change} (${s.base ?? 'absent'} -> ${s.series ?? 'absent'})`));
    if (subs.length) out.push('', 'Subtests that changed:', '', ...subs);
  }
  out.push('', `sea-harness ${r.provenance.harness}, QEMU ${r.provenance.qemu ?? '?'}, ${r.provenance.gcc ?? '?'}${r.provenance.messageIds.length ? `; Message-IDs: ${r.provenance.messageIds.join(' ')}` : ''}`, '');
  if (r.provenance.sandbox) out.push(`Build sandbox: ${confinementText(r.provenance.sandbox)}.`, '');
  return out.join('\n');
}
