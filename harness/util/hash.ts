// Content hashes for cache keys.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export function sha256(...parts: Array<string | Buffer>): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(p);
    h.update('\0');
  }
  return h.digest('hex');
}

export async function sha256File(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

export function shortHash(hex: string): string {
  return hex.slice(0, 16);
}
