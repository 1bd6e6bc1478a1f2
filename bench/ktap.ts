// Benchmark of the KTAP parser: ~50 MB of kselftest runner output built from the fixtures, parsed 3 times.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseKtap } from '../harness/ktap/parse.js';
import type { BenchEntry } from './types.js';

// From bench/ when run from source, from dist/bench/ when run compiled (tsc does not copy fixtures).
const FIXTURES =
  ['../harness/ktap/fixtures/', '../../harness/ktap/fixtures/']
    .map((p) => new URL(p, import.meta.url))
    .find((u) => existsSync(u)) ?? new URL('../harness/ktap/fixtures/', import.meta.url);
const TARGET_BYTES = 50 * 1024 * 1024;
const RUNS = 3;
const LIMIT_SECONDS = 1;

/**
 * Output shaped as the kselftest runner prints it (runner.sh run_many): a
 * version and plan, then per test its `# selftests: kvm: name` header, every
 * line of its output behind `# `, and its result. Each fixture (captured or
 * captured-looking output, one situation each) becomes one such test,
 * repeated until the text reaches `targetBytes`: a worst case for the parser,
 * with a nested document and a few results every 700 bytes.
 */
export function buildKselftestOutput(targetBytes: number = TARGET_BYTES): string {
  const outputs = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => ({
      name: f.replace(/\.txt$/, ''),
      wrapped: readFileSync(new URL(f, FIXTURES), 'utf8')
        .replace(/\r?\n$/, '')
        .split('\n')
        .map((l) => `# ${l}\n`)
        .join(''),
    }));
  const parts: string[] = [];
  let bytes = 0;
  let n = 0;
  while (bytes < targetBytes) {
    const o = outputs[n % outputs.length]!;
    n++;
    const part = `# selftests: kvm: ${o.name}\n${o.wrapped}${n % 7 === 0 ? 'not ' : ''}ok ${n} selftests: kvm: ${o.name}\n`;
    parts.push(part);
    bytes += part.length;
  }
  return `TAP version 13\n1..${n}\n${parts.join('')}`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function benchKtap(): Promise<BenchEntry[]> {
  const text = buildKselftestOutput();
  // The text is a rope until first read; reading one character flattens it, outside the timed runs.
  text.charCodeAt(0);
  const megabytes = Buffer.byteLength(text) / (1024 * 1024);
  const seconds: number[] = [];
  const cpuSeconds: number[] = [];
  let tests = 0;
  for (let i = 0; i < RUNS; i++) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    const doc = parseKtap(text);
    seconds.push((performance.now() - start) / 1000);
    const used = process.cpuUsage(cpu);
    // CPU time, GC threads included: on a loaded machine it tells the parser's cost apart from waiting for a core.
    cpuSeconds.push((used.user + used.system) / 1e6);
    tests = doc.tests.length;
    // Let the previous document be collected between runs, as a CLI run would start fresh.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const m = median(seconds);
  return [
    {
      name: `ktap parse ${megabytes.toFixed(0)} MB of kselftest output (median of ${RUNS})`,
      value: Number(m.toFixed(3)),
      unit: 's',
      target: `< ${LIMIT_SECONDS} s`,
      ok: m < LIMIT_SECONDS,
      note: `${tests} runner tests; wall ${seconds.map((s) => s.toFixed(3)).join(', ')} s; CPU ${cpuSeconds.map((s) => s.toFixed(3)).join(', ')} s`,
    },
    { name: 'ktap parse throughput', value: Number((megabytes / m).toFixed(1)), unit: 'MB/s' },
  ];
}
