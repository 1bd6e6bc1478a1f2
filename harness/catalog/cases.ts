// The case catalog (cases/*.json): which selftest, what it needs, how it skips, and what to expect per guest
// profile. Data and its validation only: the kernel stage reads it for the config union; running a case is cases/.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../util/errors.js';
import { projectRoot } from '../util/project.js';
import { DataReader } from '../util/validate.js';
import { VERDICTS, type Verdict } from '../model/result.js';
import { CAPABILITIES, type Capability } from '../guest/profiles.js';

export interface KnownSkip {
  readonly id: string;
  /** Text the test prints when it skips this way (matched literally, case-sensitive). */
  readonly match: string;
  /** The reason for people. */
  readonly reason: string;
}

export interface Expectation {
  readonly verdict: Verdict;
  /** For a skip: the id of the known skip it must be. */
  readonly skip: string | null;
}

/** An expectation for the profiles that provide every capability listed (none: every profile). */
export interface ExpectRule extends Expectation {
  readonly provides: readonly Capability[];
}

export interface CaseDefinition {
  readonly name: string;
  readonly description: string;
  /** Selftest suite directory under tools/testing/selftests and the make target inside it. */
  readonly selftest: { readonly suite: string; readonly target: string };
  readonly kconfig: readonly string[];
  readonly requires: { readonly hugepages1G: number; readonly debugfs: boolean; readonly devKvm: boolean };
  readonly timeoutSeconds: number;
  readonly notes: readonly string[];
  readonly absentHint: string | null;
  readonly knownSkips: readonly KnownSkip[];
  /**
   * A line the test prints only when it passes (sea_to_user prints no `ok` line: "Guest done gracefully!"): exit 0
   * without it is not a pass (it is the known skip it reported, or a fail).
   */
  readonly passMarker: string | null;
  /** First match wins: the first rule whose capabilities the profile all provides; the last rule matches every profile. */
  readonly expect: readonly ExpectRule[];
  /**
   * May share the L1 with other such cases (--jobs): its L2, memslots and hugepages do not collide with theirs.
   * Off unless the case file says so (ad-hoc cases run alone).
   */
  readonly concurrent: boolean;
  /** An ad-hoc case from --selftest: no data file. */
  readonly adHoc: boolean;
}

export const DEFAULT_CASES = ['sea_to_user', 'inject_iabt', 'external_aborts'];
const KEYS = ['name', 'description', 'selftest', 'kconfig', 'requires', 'timeoutSeconds', 'notes', 'absentHint', 'knownSkips', 'passMarker', 'expect', 'concurrent'];

export function parseCase(file: string, value: unknown): CaseDefinition {
  const r = DataReader.root(file, value).only(KEYS);
  const st = r.child('selftest').only(['suite', 'target']);
  const req = r.optChild('requires')?.only(['hugepages1G', 'debugfs', 'devKvm']);
  const knownSkips = r.children('knownSkips').map((k) => {
    k.only(['id', 'match', 'reason']);
    return { id: k.string('id'), match: k.string('match'), reason: k.string('reason') };
  });
  const expect = r.children('expect').map((e): ExpectRule => {
    e.only(['provides', 'verdict', 'skip']);
    const provides = e.strings('provides', []);
    for (const c of provides) if (!(CAPABILITIES as readonly string[]).includes(c)) e.fail('provides', `"${c}" is not one of ${CAPABILITIES.join(', ')}`);
    const verdict = e.oneOf('verdict', VERDICTS);
    const skip = e.optString('skip');
    if (skip !== null && !knownSkips.some((k) => k.id === skip)) e.fail('skip', `"${skip}" is not a knownSkips id; valid: ${knownSkips.map((k) => k.id).join(', ')}`);
    if (verdict === 'skip' && skip === null) e.fail('skip', 'an expected skip must name the knownSkips id it must match');
    return { provides: provides as Capability[], verdict, skip };
  });
  if (expect.length === 0 || expect.at(-1)!.provides.length > 0) r.fail('expect', 'the last rule must have no "provides": it is what every other profile expects');
  return {
    name: r.string('name'),
    description: r.string('description'),
    selftest: { suite: st.string('suite'), target: st.string('target') },
    kconfig: r.strings('kconfig', []),
    requires: { hugepages1G: req?.optNumber('hugepages1G', 0) ?? 0, debugfs: req?.bool('debugfs', false) ?? false, devKvm: req?.bool('devKvm', true) ?? true },
    timeoutSeconds: r.number('timeoutSeconds', 1),
    notes: r.strings('notes', []),
    absentHint: r.optString('absentHint'),
    knownSkips,
    passMarker: r.optString('passMarker'),
    expect,
    concurrent: r.bool('concurrent', false),
    adHoc: false,
  };
}

export function casesDir(): string {
  return join(projectRoot(), 'cases');
}

export function loadCases(dir = casesDir()): CaseDefinition[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const c = parseCase(`cases/${f}`, JSON.parse(readFileSync(join(dir, f), 'utf8')));
      if (`${c.name}.json` !== f) throw new UsageError(`cases/${f}: name "${c.name}" does not match the file name`);
      return c;
    });
}

/** `--selftest arm64/NAME` (or `kvm/arm64/NAME`): any KVM selftest of the tree, with default settings. */
export function adHocCase(spec: string): CaseDefinition {
  const m = /^(?:(kvm)\/)?((?:arm64\/)?[A-Za-z0-9_.-]+)$/.exec(spec);
  if (!m) throw new UsageError(`--selftest ${spec}: expected DIR/NAME of a KVM selftest, e.g. arm64/hello_el2`);
  const target = m[2]!;
  return {
    name: target.split('/').at(-1)!,
    description: `ad-hoc KVM selftest ${target}`,
    selftest: { suite: 'kvm', target },
    kconfig: [],
    requires: { hugepages1G: 0, debugfs: false, devKvm: true },
    timeoutSeconds: 300,
    notes: [],
    absentHint: null,
    knownSkips: [],
    passMarker: null,
    expect: [{ provides: [], verdict: 'pass', skip: null }],
    concurrent: false,
    adHoc: true,
  };
}

export function resolveCases(names: readonly string[], selftests: readonly string[], dir = casesDir()): CaseDefinition[] {
  const all = loadCases(dir);
  const chosen: CaseDefinition[] = [];
  for (const n of names) {
    const c = all.find((x) => x.name === n);
    if (!c) throw new UsageError(`--case ${n}: no such case`, `valid cases: ${all.map((x) => x.name).join(', ')} (or run any KVM selftest with --selftest arm64/NAME)`);
    chosen.push(c);
  }
  for (const s of selftests) chosen.push(adHocCase(s));
  return chosen;
}

export function expectationFor(c: CaseDefinition, profile: { readonly provides: readonly Capability[] }): Expectation {
  const rule = c.expect.find((e) => e.provides.every((cap) => profile.provides.includes(cap))) ?? c.expect.at(-1)!;
  return { verdict: rule.verdict, skip: rule.skip };
}
