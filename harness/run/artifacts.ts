// Writing a run's --out directory: result.json, junit.xml, results.tap, summary.md and the per-case raw output.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CaseResult, RunResult } from '../model/result.js';
import { renderRun } from '../report/index.js';

export function caseFileBase(c: Pick<CaseResult, 'name' | 'iteration'>): string {
  return c.iteration && c.iteration > 1 ? `${c.name}.${c.iteration}` : c.name;
}

export async function writeReports(outDir: string, result: RunResult): Promise<void> {
  await writeFile(join(outDir, 'result.json'), renderRun(result, 'json', { color: false }));
  await writeFile(join(outDir, 'junit.xml'), renderRun(result, 'junit', { color: false }));
  await writeFile(join(outDir, 'results.tap'), renderRun(result, 'tap', { color: false }));
  await writeFile(join(outDir, 'summary.md'), renderRun(result, 'markdown', { color: false }));
}

export async function writeCaseOutput(outDir: string, c: Pick<CaseResult, 'name' | 'iteration'>, stdout: string, stderr: string, consoleLines: readonly string[]): Promise<void> {
  const base = caseFileBase(c);
  await writeFile(join(outDir, `${base}.ktap`), stdout);
  await writeFile(join(outDir, `${base}.stderr`), stderr);
  if (consoleLines.length) await writeFile(join(outDir, `${base}.console`), consoleLines.join('\n') + '\n');
}
