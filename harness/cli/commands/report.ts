// `sea-harness report merge FILE|DIR...`: combine result.json / ci.json / bisect.json of several runs.
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { classify, mergeReports, renderMergedMarkdown, type MergeInput } from '../../report/merge.js';
import { UsageError } from '../../util/errors.js';
import { COMMON_OUTPUT, parseCommand, str, type CommandSpec } from '../options.js';
import { formatChoice, formatOption } from '../format.js';
import type { CommandMain } from '../runtime.js';

export const spec: CommandSpec = {
  name: 'report',
  summary:
    'report merge FILE|DIR...: combine the result files of several runs (run\'s result.json, ci\'s ci.json, bisect\'s bisect.json; a directory is searched for them) into one summary: markdown (default) or json (`sea-harness/merge@1`). Exit 0 when every run is ok, 1 when one is not, 2 for an unreadable input.',
  usage: 'sea-harness report merge FILE|DIR... [--out DIR] [--format markdown|json]',
  options: [...COMMON_OUTPUT.filter((o) => o.name !== 'deadline'), formatOption(['markdown', 'json', 'human'], 'human is the markdown')],
  positionals: { min: 2, max: 10_000 },
  examples: ['npx sea-harness report merge out/ci-*/ --out merged', 'npx sea-harness report merge a/ci.json b/ci.json --format json > merged.json'],
};

const NAMES = ['ci.json', 'bisect.json', 'result.json'];

/**
 * A file, or the result files under a directory: a directory holding ci.json, bisect.json or result.json is
 * one result (the result.json files under a ci's base/ and series/ belong to its ci.json); others are
 * searched, a few levels deep (a CI job's downloaded artifacts).
 */
async function expand(path: string, depth = 0): Promise<string[]> {
  const st = await stat(path).catch(() => null);
  if (!st) throw new UsageError(`report merge: ${path}: no such file or directory`);
  if (!st.isDirectory()) return [path];
  for (const name of NAMES) if ((await stat(join(path, name)).catch(() => null))?.isFile()) return [join(path, name)];
  if (depth >= 4) return [];
  const found: string[] = [];
  for (const sub of (await readdir(path, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    found.push(...(await expand(join(path, sub), depth + 1)));
  }
  return found;
}

export const main: CommandMain = async (_rt, argv) => {
  const { values, positionals } = parseCommand(spec, argv);
  const [sub, ...paths] = positionals;
  if (sub !== 'merge') throw new UsageError(`report ${sub}: unknown subcommand`, 'the one subcommand is `report merge FILE|DIR...`');
  const format = formatChoice(values, ['markdown', 'json', 'human'] as const).stdout;
  const inputs: MergeInput[] = [];
  for (const p of paths) {
    const files = await expand(p);
    if (files.length === 0) throw new UsageError(`report merge: ${p} holds no result.json, ci.json or bisect.json`);
    for (const f of files) {
      let doc: unknown;
      try {
        doc = JSON.parse(await readFile(f, 'utf8'));
      } catch (err) {
        throw new UsageError(`report merge: ${f} is not JSON (${(err as Error).message})`);
      }
      const input = classify(f, doc);
      if (!input) throw new UsageError(`report merge: ${f} is not a sea-harness result (no run@1, ci@1 or bisect@1 schema)`);
      inputs.push(input);
    }
  }
  const merged = mergeReports(inputs);
  const md = renderMergedMarkdown(merged);
  const out = str(values, 'out');
  if (out) {
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'merged.json'), JSON.stringify(merged, null, 2) + '\n');
    await writeFile(join(out, 'merged.md'), md);
  }
  process.stdout.write(format === 'json' ? JSON.stringify(merged, null, 2) + '\n' : md);
  return merged.ok ? 0 : 1;
};
