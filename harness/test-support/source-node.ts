// A separate node process running the harness's TypeScript sources, for unit tests of what only shows across
// processes (exit codes, concurrent git writers): through tap's own TypeScript loader, never dist/ (stale code).
import { execa, type ResultPromise } from 'execa';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../util/project.js';

/** file: URL of a source module, e.g. sourceUrl('harness/cli/runtime.ts'), to import() in a script. */
export const sourceUrl = (relative: string): string => pathToFileURL(join(projectRoot(), relative)).href;

interface ScriptOptions {
  readonly env?: Record<string, string>;
  readonly timeoutMs?: number;
}

/**
 * `node --input-type=module -e SCRIPT` with the TypeScript loader tap uses (transpile only, the tests' tsconfig), so
 * the script can import sourceUrl(...) modules; stdin is a pipe the caller may write to. Never rejects: the caller
 * checks the exit code and output.
 */
export function startSourceScript(script: string, options: ScriptOptions = {}) {
  const loader = import.meta.resolve('@tapjs/typescript/import');
  return execa(process.execPath, ['--import', loader, '--input-type=module', '-e', script], {
    reject: false,
    stdin: 'pipe',
    timeout: options.timeoutMs ?? 60_000,
    env: { TS_NODE_TRANSPILE_ONLY: '1', TS_NODE_PROJECT: join(projectRoot(), 'tsconfig.test.json'), TAP_TYPE_STRIP_ONLY: '0', ...options.env },
  });
}

/** startSourceScript with nothing on stdin, to completion. */
export function runSourceScript(script: string, options: ScriptOptions = {}): ResultPromise {
  const child = startSourceScript(script, options);
  child.stdin?.end();
  return child;
}

/** Resolves once `child` has printed a line equal to `line` on stdout (false if it ended first). */
export function printed(child: ResultPromise, line: string): Promise<boolean> {
  return new Promise((resolve) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.split('\n').includes(line)) resolve(true);
    });
    void child.then(() => resolve(out.split('\n').includes(line)));
  });
}
