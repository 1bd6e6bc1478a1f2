// The CI templates in ci/ are valid YAML, well-formed for their engine, and every `npx sea-harness` command
// in them parses with the options the CLI really accepts (and every `make` target exists).
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from '../util/project.js';
import { parseCommand, type CommandSpec } from '../cli/options.js';
import { KVM_MODES } from '../guest/qemu-args.js';

const ROOT = projectRoot();

type Yaml = Record<string, unknown>;
// merge: GitLab resolves YAML merge keys (`<<: *anchor`), which YAML 1.2 parsers leave alone by default.
const load = (f: string) => parse(readFileSync(join(ROOT, 'ci', f), 'utf8'), { merge: true }) as Yaml;

/** Shell words of one simple command (quotes removed), without redirections. */
function words(segment: string): string[] {
  const out: string[] = [];
  for (const m of segment.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]!);
  const kept: string[] = [];
  for (let i = 0; i < out.length; i++) {
    if (/^\d?>>?$/.test(out[i]!)) i++;
    else if (!/^\d?>/.test(out[i]!)) kept.push(out[i]!);
  }
  return kept;
}

/** The simple commands of a script line (split at ||, &&, ; and |). */
const commands = (line: string) => line.split(/\|\||&&|;|\|/).map((s) => words(s.trim())).filter((w) => w.length > 0);

async function checkCommand(t: Test, argv: string[], where: string): Promise<void> {
  if (argv[0] === 'make') {
    const makefile = readFileSync(join(ROOT, 'Makefile'), 'utf8');
    for (const target of argv.slice(1)) t.match(makefile, new RegExp(`^${target}:`, 'm'), `${where}: make ${target} exists`);
    return;
  }
  if (argv[0] !== 'npx' || argv[1] !== 'sea-harness') return;
  const [name, ...rest] = argv.slice(2);
  const mod = (await import(`../cli/commands/${name}.js`).catch(() => null)) as { spec: CommandSpec } | null;
  t.ok(mod, `${where}: sea-harness ${name} is a command`);
  if (!mod) return;
  t.doesNotThrow(() => parseCommand(mod.spec, rest), `${where}: sea-harness ${[name, ...rest].join(' ')} parses`);
}

/**
 * A GitLab script line with the template's variables substituted as a job would see them: the defaults under
 * `variables:`, the job's first matrix entry, and CASE_OPTIONS as the default before_script makes it from
 * SEA_CASES. Unquoted values split into words, as the shell splits them.
 */
function expandVariables(line: string, vars: Record<string, string>): string {
  return line.replace(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g, (whole, name: string) => vars[name] ?? whole);
}

t.test('ci/gitlab-ci.yml', async (t) => {
  const doc = load('gitlab-ci.yml');
  const stages = doc.stages as string[];
  const reserved = new Set(['variables', 'stages', 'default', 'include', 'workflow']);
  const jobs = Object.entries(doc).filter(([k]) => !reserved.has(k) && !k.startsWith('.')) as Array<[string, Yaml]>;
  t.ok(jobs.length >= 3, 'build, boot and report jobs');
  const names = new Set(jobs.map(([k]) => k));
  const globals = doc.variables as Record<string, string>;
  for (const v of ['SEA_HARNESS_CACHE', 'SEA_SERIES_DIR', 'SEA_CASES', 'SEA_CI_OPTIONS']) t.ok(v in globals, `variable ${v} has a default`);
  const defaultBefore = ((doc.default as Yaml).before_script as string[]) ?? [];
  t.ok(defaultBefore.some((l) => /for c in \$SEA_CASES; do CASE_OPTIONS="\$CASE_OPTIONS --case \$c"; done/.test(l)), 'the default before_script turns SEA_CASES into --case options');
  // Two cases, to check the options of a multi-case run parse.
  const caseOptions = ' --case inject_iabt --case sea_to_user';
  const seriesOf = new Map<string, string[]>();
  for (const [name, job] of jobs) {
    t.ok(stages.includes(job.stage as string), `${name}: stage ${String(job.stage)} is declared`);
    for (const need of (job.needs as string[] | undefined) ?? []) t.ok(names.has(need), `${name}: needs ${need} exists`);
    t.ok(Array.isArray(job.script) && (job.script as unknown[]).length > 0, `${name}: has a script`);
    const matrix = ((job.parallel as Yaml | undefined)?.matrix as Array<Record<string, string[]>> | undefined) ?? [];
    for (const m of matrix) {
      for (const mode of m.KVM_MODE ?? []) t.ok((KVM_MODES as readonly string[]).includes(mode), `${name}: KVM_MODE ${mode} is a --kvm-mode value`);
      // Fan-out by series and KVM mode only: every job runs all of SEA_CASES.
      t.same(Object.keys(m).filter((k) => k !== 'SERIES' && k !== 'KVM_MODE'), [], `${name}: the matrix is by SERIES and KVM_MODE, never by case`);
      if (m.SERIES) seriesOf.set(name, m.SERIES);
    }
    const vars: Record<string, string> = { ...globals, CASE_OPTIONS: caseOptions, ...Object.fromEntries(Object.entries(matrix[0] ?? {}).map(([k, v]) => [k, v[0]!])) };
    const before = (job.before_script as string[] | undefined) ?? defaultBefore;
    for (const line of [...before, ...(job.script as string[])]) for (const argv of commands(expandVariables(line, vars))) await checkCommand(t, argv, name);
  }
  t.same(seriesOf.get('boot-modes'), seriesOf.get('ci'), 'the boot jobs boot the series the ci jobs built');
  t.ok(jobs.some(([, j]) => (j.script as string[]).some((l) => l.includes('sea-harness ci '))), 'a job runs sea-harness ci');
  t.ok(jobs.some(([, j]) => (j.script as string[]).some((l) => l.includes('report merge'))), 'a job merges the results');
});

t.test('ci/github-actions.yml', async (t) => {
  const doc = load('github-actions.yml');
  t.ok(doc.on, 'has triggers');
  const jobs = Object.entries(doc.jobs as Yaml) as Array<[string, Yaml]>;
  const names = new Set(jobs.map(([k]) => k));
  for (const [name, job] of jobs) {
    t.ok(job['runs-on'], `${name}: runs-on`);
    const needs = job.needs === undefined ? [] : Array.isArray(job.needs) ? (job.needs as string[]) : [job.needs as string];
    for (const need of needs) t.ok(names.has(need), `${name}: needs ${need} exists`);
    const modes = ((job.strategy as Yaml | undefined)?.matrix as Yaml | undefined)?.['kvm-mode'] as string[] | undefined;
    for (const mode of modes ?? []) t.ok((KVM_MODES as readonly string[]).includes(mode), `${name}: kvm-mode ${mode} is a --kvm-mode value`);
    for (const step of job.steps as Yaml[]) {
      t.ok(step.uses || step.run, `${name}: every step uses an action or runs a command`);
      if (typeof step.run === 'string') for (const line of step.run.split('\n')) for (const argv of commands(line)) await checkCommand(t, argv, name);
    }
  }
  t.ok(names.has('merge'), 'a merge job');
});
