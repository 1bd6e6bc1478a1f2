// Where the harness's own files are (guests/, cases/, images/), from the source tree or from dist/.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null = null;

export function projectRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'sea-harness') {
      cached = dir;
      return dir;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the sea-harness package root above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

export function harnessVersion(): string {
  return (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** The CLI's entry point as an absolute path: what `git bisect run` is given (it runs where `npx` finds nothing). */
export function cliPath(): string {
  return join(projectRoot(), 'bin', 'sea-harness.js');
}
