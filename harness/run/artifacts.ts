// Writing a run's --out directory: result.json, junit.xml, results.tap, summary.md and the per-case raw output.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunResult } from '../model/result.js';
import { caseRunFileBase, type CaseRunId } from '../model/case-run.js';
import { renderRun } from '../report/index.js';


export async function writeReports(outDir: string, result: RunResult): Promise<void> {
  await writeFile(join(outDir, 'result.json'), renderRun(result, 'json', { color: false }));
  await writeFile(join(outDir, 'junit.xml'), renderRun(result, 'junit', { color: false }));
  await writeFile(join(outDir, 'results.tap'), renderRun(result, 'tap', { color: false }));
  await writeFile(join(outDir, 'summary.md'), renderRun(result, 'markdown', { color: false }));
}

/** A case run's raw output beside the reports; `superseded`: the attempt beside others that a run alone replaced. */
export async function writeCaseOutput(outDir: string, id: CaseRunId, stdout: string, stderr: string, consoleLines: readonly string[], superseded = false): Promise<void> {
  const base = caseRunFileBase(id, superseded);
  await writeFile(join(outDir, `${base}.ktap`), stdout);
  await writeFile(join(outDir, `${base}.stderr`), stderr);
  if (consoleLines.length) await writeFile(join(outDir, `${base}.console`), consoleLines.join('\n') + '\n');
}
