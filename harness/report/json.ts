// JSON reporter: the `sea-harness/ktap@1` and `sea-harness/run@1` documents exactly as the model holds them.
import type { KtapDocument } from '../model/ktap.js';
import type { RunResult } from '../model/result.js';

export function ktapJson(doc: KtapDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export function runJson(result: RunResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
