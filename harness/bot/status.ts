// `bot status`: the jobs by state, the flake history and the last events, for people or as JSON.
import type { BotStore } from './store.js';

export function renderStatus(store: BotStore, format: 'human' | 'json'): string {
  const jobs = store.jobs();
  const flakes = [...store.flakes()].map(([name, f]) => ({ case: name, ...f }));
  const events = store.events().slice(-20);
  if (format === 'json') return JSON.stringify({ schema: 'sea-harness/bot-status@1', jobs, flakes, events }, null, 2) + '\n';
  const lines = [`${jobs.length} job(s)`];
  for (const j of jobs) {
    const what = j.state === 'superseded' ? `superseded by <${j.supersededBy}>` : j.state === 'done' ? `${j.verdict}${j.deliveredAt ? `, replied ${j.deliveredAt}` : ', reply pending'}` : j.reason ?? '';
    lines.push(`  ${j.state.padEnd(10)} v${j.version} ${j.title}  <${j.root}>  attempts ${j.attempts}${what ? `  ${what}` : ''}`);
  }
  lines.push('flake history (runs whose regression did not reproduce on re-run):');
  if (flakes.length === 0) lines.push('  (no runs yet)');
  for (const f of flakes) lines.push(`  ${f.case.padEnd(24)} ${f.flaked} of ${f.runs} run(s) flaked${f.lastFlaked ? `, last ${f.lastFlaked}` : ''}`);
  lines.push('last events:');
  for (const e of events) lines.push(`  ${e.at} ${e.root ? `<${e.root}> ` : ''}${e.what}`);
  return lines.join('\n') + '\n';
}
