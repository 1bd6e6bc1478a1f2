// `make bench`: every benchmark, printed as a table and written as JSON (bench/results/latest.json).
// BENCH=ktap,qemu,boot,sandbox,coverage,kernel selects entries (sandbox: ~8 min in the default cache; coverage ~10 min); qemu does two cold QEMU builds (~20 min on 2 cores), kernel two
// cold kernel builds and a cold run that also builds QEMU (~45 min).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../harness/util/project.js';
import { benchBoot } from './boot.js';
import { benchKernel } from './kernel.js';
import { benchKtap } from './ktap.js';
import { benchQemu } from './qemu.js';
import { benchSandbox } from './sandbox.js';
import { benchCoverage } from './coverage.js';
import type { BenchEntry } from './types.js';

const SUITES: Record<string, () => Promise<BenchEntry[]>> = { ktap: benchKtap, qemu: benchQemu, boot: benchBoot, sandbox: benchSandbox, coverage: benchCoverage, kernel: benchKernel };

async function main(): Promise<void> {
  const chosen = (process.env.BENCH ?? Object.keys(SUITES).join(',')).split(',').filter(Boolean);
  const results: Array<BenchEntry & { suite: string }> = [];
  for (const name of chosen) {
    const suite = SUITES[name];
    if (!suite) throw new Error(`BENCH=${name}: valid: ${Object.keys(SUITES).join(', ')}`);
    process.stderr.write(`bench: ${name}...\n`);
    for (const e of await suite()) {
      results.push({ suite: name, ...e });
      process.stderr.write(`  ${e.name}: ${e.value} ${e.unit}${e.target ? ` (target ${e.target}: ${e.ok ? 'ok' : 'MISSED'})` : ''}\n`);
    }
  }
  const rows = results.map((r) => `| ${r.suite} | ${r.name} | ${r.value} ${r.unit} | ${r.target ?? ''} | ${r.ok === undefined ? '' : r.ok ? 'ok' : 'missed'} | ${r.note ?? ''} |`);
  process.stdout.write(['| suite | measurement | value | target | | note |', '|---|---|---|---|---|---|', ...rows].join('\n') + '\n');
  // Suites not run this time keep their last results (each entry says when it was measured).
  const dir = join(projectRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'latest.json');
  const at = new Date().toISOString();
  const previous = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { results?: Array<{ suite: string }> }).results ?? [] : [];
  const merged = [...previous.filter((r) => !chosen.includes(r.suite)), ...results.map((r) => ({ ...r, at }))];
  writeFileSync(path, JSON.stringify({ schema: 'sea-harness/bench@1', results: merged }, null, 2) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
