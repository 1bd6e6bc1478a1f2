// The bisect's result for people: the Markdown report (bisect.md) and the human summary on standard error.
import type { BisectResult, CommitInfo, StepRecord } from '../model/bisect.js';
import { cell, table } from '../report/markdown.js';
import { formatDuration } from '../report/text.js';

const short = (c: string) => c.slice(0, 12);

function commitLines(c: CommitInfo): string[] {
  return [`${c.commit} ${c.subject}`, `Author: ${c.author}, ${c.date}`, `Files: ${c.files.join(', ') || '(none)'}`];
}

function stepRow(s: StepRecord): string[] {
  return [s.phase, `\`${short(s.commit)}\``, cell(s.subject), `**${s.step}**`, s.verdict, cell(s.reason.replace(/; backtrace: .*/, '')), s.fromStore ? 'store' : formatDuration(s.buildMs), formatDuration(s.bootMs), formatDuration(s.runMs)];
}

export function headline(r: BisectResult): string {
  if (r.culprit?.confirmed) return `first bad commit for ${r.case}: ${short(r.culprit.commit)} ${r.culprit.subject} (confirmed: bad ${r.culprit.confirmation.culprit.length}/${r.culprit.confirmation.culprit.length}, parent good ${r.culprit.confirmation.parent.length}/${r.culprit.confirmation.parent.length})`;
  if (r.culprit) return `UNCONFIRMED first bad commit for ${r.case}: ${short(r.culprit.commit)} ${r.culprit.subject}`;
  if (r.candidates.length) return `no single first bad commit for ${r.case}: ${r.candidates.length} candidates`;
  return `no first bad commit for ${r.case}`;
}

export function renderBisectMarkdown(r: BisectResult): string {
  const out = [`# sea-harness bisect: ${r.case}`, '', `Tree: \`${r.kernel}\`, good \`${short(r.good)}\`, bad \`${short(r.bad)}\`${r.series.length ? `, series on every step: ${r.series.map((s) => `\`${s}\``).join(', ')}` : ''}.`, '', `**${headline(r)}**`, ''];
  if (r.culprit) {
    out.push('```', ...commitLines(r.culprit), '```', '');
    out.push(`Confirmation: culprit ${r.culprit.confirmation.culprit.join(', ') || '(not run)'}; parent ${r.culprit.confirmation.parent.join(', ') || '(not run)'}.`, '');
    for (const d of r.culprit.doubts) out.push(`- Doubt: ${d}`);
    if (r.culprit.doubts.length) out.push('');
  }
  if (r.candidates.length) {
    out.push('Candidates (the first bad commit is one of these):', '');
    for (const c of r.candidates) out.push(`- \`${short(c.commit)}\` ${c.subject} (${c.author}; ${c.files.join(', ')}): ${c.why}`);
    out.push('');
  }
  if (r.reason) out.push(`Why: ${r.reason}`, '');
  out.push('## Steps', '', ...table(['phase', 'commit', 'subject', 'step', 'verdict', 'reason', 'build', 'boot', 'run'], r.steps.map(stepRow)), '');
  out.push(`Total: ${formatDuration(r.timings.totalMs)}. Each step's artifacts are under \`steps/\`; git's own log is \`bisect-log.txt\`.`, '');
  return out.join('\n');
}

export function renderBisectHuman(r: BisectResult): string {
  const out = [headline(r)];
  if (r.culprit) out.push(...commitLines(r.culprit).map((l) => `  ${l}`), ...r.culprit.doubts.map((d) => `  doubt: ${d}`));
  for (const c of r.candidates) out.push(`  candidate ${short(c.commit)} ${c.subject}: ${c.why}`);
  if (r.reason) out.push(`  ${r.reason}`);
  out.push(`steps (${r.steps.length}, ${formatDuration(r.timings.totalMs)}):`);
  for (const s of r.steps) out.push(`  ${s.phase.padEnd(7)} ${s.step.padEnd(4)} ${short(s.commit)} ${s.subject} - ${s.verdict}`);
  return out.join('\n') + '\n';
}
