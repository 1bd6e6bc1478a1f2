// The reporters' entry points: render a parsed KTAP document or a run result in one of the output formats.
import type { KtapDocument } from '../model/ktap.js';
import type { RunResult } from '../model/result.js';
import { ktapHuman, runHuman } from './human.js';
import { ktapJson, runJson } from './json.js';
import { ktapJunit, runJunit } from './junit.js';
import { ktapMarkdown, runMarkdown } from './markdown.js';
import { ktapTap, runTap } from './tap.js';
import type { OutputFormat, RenderOptions } from './types.js';

export { OUTPUT_FORMATS, type OutputFormat, type RenderOptions } from './types.js';

/** Render a parsed file (`sea-harness parse FILE --format ...`). Pure: returns the text, writes nothing. */
export function renderKtap(doc: KtapDocument, format: OutputFormat, opts: RenderOptions): string {
  switch (format) {
    case 'human':
      return ktapHuman(doc, opts);
    case 'json':
      return ktapJson(doc);
    case 'junit':
      return ktapJunit(doc, opts);
    case 'tap':
      return ktapTap(doc);
    case 'markdown':
      return ktapMarkdown(doc, opts);
  }
}

/** Render a run's result (result.json, junit.xml, results.tap, summary.md, the terminal summary). */
export function renderRun(result: RunResult, format: OutputFormat, opts: RenderOptions): string {
  switch (format) {
    case 'human':
      return runHuman(result, opts);
    case 'json':
      return runJson(result);
    case 'junit':
      return runJunit(result);
    case 'tap':
      return runTap(result);
    case 'markdown':
      return runMarkdown(result);
  }
}
