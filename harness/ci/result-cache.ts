// Results of a base reused across series: a bot tests many series on one base, and the base's kernel comes
// from the artifact store already; its run result is kept too, keyed by everything that decides it.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256 } from '../util/hash.js';
import type { RunResult } from '../model/result.js';

export interface ResultKeyParts {
  readonly kernelKey: string;
  readonly cases: readonly string[];
  /** guest/options.ts guestOptionsKey: every guest option, QEMU by what it is. */
  readonly guest: Readonly<Record<string, unknown>>;
  readonly harness: string;
}

export function resultKey(parts: ResultKeyParts): string {
  return sha256(JSON.stringify({ ...parts, cases: [...parts.cases].sort() })).slice(0, 24);
}

const path = (cacheDir: string, key: string) => join(cacheDir, 'results', `${key}.json`);

export async function readCachedResult(cacheDir: string, key: string): Promise<RunResult | null> {
  const text = await readFile(path(cacheDir, key), 'utf8').catch(() => null);
  if (!text) return null;
  try {
    const r = JSON.parse(text) as RunResult;
    return r.schema === 'sea-harness/run@1' ? r : null;
  } catch {
    return null;
  }
}

/** Written atomically (two ci runs may finish the same base at once). */
export async function writeCachedResult(cacheDir: string, key: string, result: RunResult): Promise<void> {
  const file = path(cacheDir, key);
  await mkdir(join(cacheDir, 'results'), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(result, null, 2) + '\n');
  await rename(tmp, file);
}
