// `sea-harness parse FILE|-`: KTAP / TAP / kselftest output in any output format; needs no kernel.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseKtap } from '../../ktap/parse.js';
import { OUTPUT_FORMATS, renderKtap, type OutputFormat } from '../../report/index.js';
import { UsageError } from '../../util/errors.js';
import { parseCommand, str, type CommandSpec } from '../options.js';
import { formatChoice, formatOption } from '../format.js';
import type { CommandMain } from '../runtime.js';

export const spec: CommandSpec = {
  name: 'parse',
  summary: 'Parse KTAP, TAP 13/14 or kselftest output and print it in the chosen format (no kernel, no QEMU).',
  usage: 'sea-harness parse FILE|- [--format human|json|junit|tap|markdown] [--name NAME]',
  options: [
    formatOption(OUTPUT_FORMATS),
    { name: 'name', type: 'string', arg: 'NAME', help: 'suite name in JUnit/Markdown (default: the file name)' },
  ],
  positionals: { min: 1, max: 1 },
  examples: ['npx sea-harness parse sea_to_user.ktap --format json', 'ssh l1 ./inject_iabt | npx sea-harness parse - --format junit > junit.xml'],
};

async function readInput(path: string): Promise<string> {
  if (path === '-') {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  return readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`parse: cannot read ${path}: ${err.code ?? err.message}`, 'give a file of test output, or - for standard input');
  });
}

export const main: CommandMain = async (_rt, argv) => {
  const { values, positionals } = parseCommand(spec, argv);
  const format: OutputFormat = formatChoice(values, OUTPUT_FORMATS).stdout;
  const path = positionals[0]!;
  const doc = parseKtap(await readInput(path));
  const out = renderKtap(doc, format, { color: format === 'human' && Boolean(process.stdout.isTTY), name: str(values, 'name') ?? (path === '-' ? 'stdin' : basename(path)) });
  process.stdout.write(out);
  return 0;
};
