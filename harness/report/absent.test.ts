// Absent cases in the human and Markdown reports: one nobody asked for reads "absent (not in this tree)", with no
// expectation beside it; one named with --case still reads as not meeting its expectation.
import { readFileSync } from 'node:fs';
import t from 'tap';
import type { RunResult } from '../model/result.js';
import { renderRun } from './index.js';
import { absentUnasked } from './text.js';

/** A recorded run on mainline Debian 7.3: inject_iabt is not in that tree, and was not named (met). */
const recorded = JSON.parse(readFileSync(new URL('../ci/fixtures/base-debian-7.3.result.json', import.meta.url), 'utf8')) as RunResult;

/** The same run as if inject_iabt had been named with --case: its absence does not meet the expectation. */
const named: RunResult = {
  ...recorded,
  verdict: 'fail',
  cases: recorded.cases.map((c) => (c.name === 'inject_iabt' ? { ...c, met: false } : c)),
};

const lines = (text: string, name: string) => text.split('\n').filter((l) => l.includes(name));

t.test('the recorded run has the case this is about', async (t) => {
  const c = recorded.cases.find((x) => x.name === 'inject_iabt');
  t.match(c, { verdict: 'absent', expected: 'pass', met: true });
  t.ok(absentUnasked(c!));
  t.notOk(absentUnasked({ verdict: 'absent', met: false }), 'a named absent case is not one');
  t.notOk(absentUnasked({ verdict: 'skip', met: true }));
});

t.test('human: an absent case nobody asked for reads "absent (not in this tree)"', async (t) => {
  for (const color of [false, true]) {
    const text = renderRun(recorded, 'human', { color });
    const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
    const [detail, summary] = lines(plain, 'inject_iabt').filter((l) => /^\S/.test(l));
    t.equal(detail, 'inject_iabt: absent (not in this tree)', `detail heading (color ${color})`);
    t.match(summary, /^absent\s+inject_iabt\s+\(not in this tree\)\s+0 ms {2}inject_iabt is not in mainline 7\.3/, `summary line (color ${color})`);
    for (const l of lines(plain, 'inject_iabt')) t.notMatch(l, /expected|NOT MET|not met/, `no expectation beside it: ${l}`);
  }
  const text = renderRun(recorded, 'human', { color: false });
  t.match(text, /^pass\s+external_aborts\s+expected pass\s/m, 'other cases keep their expectation');
  t.match(text, /^skip\s+sea_to_user\s+expected skip\s/m);
});

t.test('human: an absent case named with --case still reads as not meeting its expectation', async (t) => {
  const text = renderRun(named, 'human', { color: false });
  t.match(text, /^inject_iabt: absent, expected pass \(not met\)$/m);
  t.match(text, /^absent\s+inject_iabt\s+expected pass NOT MET\s/m);
  t.notMatch(text, /not in this tree\)/);
});

t.test('markdown: an absent case nobody asked for reads "absent (not in this tree)", nothing expected', async (t) => {
  const md = renderRun(recorded, 'markdown', { color: false });
  t.match(md, /^\| inject_iabt \| absent \(not in this tree\) \| - \| inject_iabt is not in mainline 7\.3: .* \| 0 ms \|$/m);
  t.match(md, /^### inject_iabt: absent \(not in this tree\)$/m);
  for (const l of lines(md, 'inject_iabt').filter((x) => x.startsWith('|') || x.startsWith('#'))) t.notMatch(l, /expected|not met/, `no expectation beside it: ${l}`);
  t.match(md, /^\| external_aborts \| pass \| pass \|/m, 'other cases keep their expectation');
});

t.test('markdown: an absent case named with --case still reads as not meeting its expectation', async (t) => {
  const md = renderRun(named, 'markdown', { color: false });
  t.match(md, /^\| inject_iabt \| \*\*absent\*\* \(not met\) \| pass \|/m);
  t.match(md, /^### inject_iabt: absent, expected pass \(not met\)$/m);
  t.notMatch(md, /not in this tree\)/);
});

t.test('an iteration of a --repeat run reads the same way', async (t) => {
  const repeated: RunResult = { ...recorded, cases: recorded.cases.map((c) => ({ ...c, iteration: 2 })) };
  const human = renderRun(repeated, 'human', { color: false });
  t.match(human, /^inject_iabt #2: absent \(not in this tree\)$/m);
  t.match(human, /^absent\s+inject_iabt #2\s+\(not in this tree\)/m);
  const md = renderRun(repeated, 'markdown', { color: false });
  t.match(md, /^### inject_iabt #2: absent \(not in this tree\)$/m);
  t.match(md, /^\| inject_iabt #2 \| absent \(not in this tree\) \| - \|/m);
});
