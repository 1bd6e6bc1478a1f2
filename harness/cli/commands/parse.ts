// `sea-harness parse FILE|-`: KTAP / TAP / kselftest output in any output format; needs no kernel.
import { once } from 'node:events';
import { constants as bufferConstants } from 'node:buffer';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { documentOutcome } from '../../ktap/failures.js';
import { jsonChunks } from '../../ktap/json-chunks.js';
import { parseKtap } from '../../ktap/parse.js';
import type { KtapDocument } from '../../model/ktap.js';
import { OUTPUT_FORMATS, renderKtap, type OutputFormat } from '../../report/index.js';
import { exitCodeForParse } from '../../run/exit-codes.js';
import { UsageError } from '../../util/errors.js';
import { parseCommand, str, type CommandSpec } from '../options.js';
import { formatChoice, formatOption } from '../format.js';
import type { CommandMain } from '../runtime.js';

export const spec: CommandSpec = {
  name: 'parse',
  summary: 'Parse KTAP, TAP 13/14 or kselftest output and print it in the chosen format (no kernel, no QEMU). Exit 1 when a test failed or no KTAP was found.',
  usage: 'sea-harness parse FILE|- [--format human|json|junit|tap|markdown] [--name NAME]',
  options: [
    formatOption(OUTPUT_FORMATS),
    { name: 'name', type: 'string', arg: 'NAME', help: 'suite name in JUnit/Markdown (default: the file name)' },
  ],
  positionals: { min: 1, max: 1 },
  examples: ['npx sea-harness parse sea_to_user.ktap --format json', 'ssh l1 ./inject_iabt | npx sea-harness parse - --format junit > junit.xml'],
};

/** The longest string V8 makes (2^29 - 24 characters on 64-bit Node): the input is read as one, so its bytes cannot be more. */
export const MAX_INPUT_BYTES = bufferConstants.MAX_STRING_LENGTH;

const MIB = 1024 * 1024;

function tooLarge(what: string, bytes: string): UsageError {
  return new UsageError(
    `parse: ${what} is ${bytes}, more than parse can read at once: ${MAX_INPUT_BYTES} bytes (${Math.floor(MAX_INPUT_BYTES / MIB)} MiB, the longest string Node.js can hold)`,
    'parse it in parts: split the output where a test program starts (`csplit FILE "/^# selftests: /" "{*}"`, or `split -C 256M FILE part.`) and parse each part',
  );
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const c of process.stdin) {
    total += (c as Buffer).length;
    // Stop reading at once: holding more would only fail later, with a message that says less.
    if (total > MAX_INPUT_BYTES) throw tooLarge('standard input', `more than ${MAX_INPUT_BYTES} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readInput(path: string): Promise<string> {
  if (path === '-') return readStdin();
  const cannotRead = (err: NodeJS.ErrnoException): never => {
    throw new UsageError(`parse: cannot read ${path}: ${err.code ?? err.message}`, 'give a file of test output, or - for standard input');
  };
  const info = await stat(path).catch(cannotRead);
  if (info.isFile() && info.size > MAX_INPUT_BYTES) throw tooLarge(path, `${info.size} bytes (${Math.ceil(info.size / MIB)} MiB)`);
  return readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    // A file that grew after stat(), or a device: the same limit.
    if (err.code === 'ERR_STRING_TOO_LONG') throw tooLarge(path, `more than ${MAX_INPUT_BYTES} bytes`);
    return cannotRead(err);
  });
}

/** Write `chunks` to standard output, waiting whenever the pipe is full. */
async function writeChunks(chunks: Iterable<string>): Promise<void> {
  for (const c of chunks) {
    if (!process.stdout.write(c)) await once(process.stdout, 'drain');
  }
}

/** The document in `format`. JSON is written in chunks (any size); the other formats are one string, which has the same limit as the input. */
async function writeDocument(doc: KtapDocument, format: OutputFormat, name: string): Promise<void> {
  if (format === 'json') return writeChunks(jsonChunks(doc));
  let out: string;
  try {
    out = renderKtap(doc, format, { color: format === 'human' && Boolean(process.stdout.isTTY), name });
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    throw new UsageError(
      `parse: the ${format} report of ${doc.tests.length} top-level tests is longer than the ${MAX_INPUT_BYTES} characters a string can hold (${err.message})`,
      '--format json writes any document, in chunks; or parse the output in parts',
    );
  }
  process.stdout.write(out);
}

export const main: CommandMain = async (_rt, argv) => {
  const { values, positionals } = parseCommand(spec, argv);
  const format: OutputFormat = formatChoice(values, OUTPUT_FORMATS).stdout;
  const path = positionals[0]!;
  const doc = parseKtap(await readInput(path));
  await writeDocument(doc, format, str(values, 'name') ?? (path === '-' ? 'stdin' : basename(path)));
  // Standard output holds the document and nothing else: why the exit code is 1 goes to standard error.
  const outcome = documentOutcome(doc);
  const input = path === '-' ? 'standard input' : path;
  if (outcome.kind === 'no-ktap') {
    process.stderr.write(`parse: no KTAP output found in ${input}: no version, plan, result or bail-out line\n`);
  } else if (outcome.kind === 'failed') {
    const shown = outcome.failures.slice(0, 10);
    const more = outcome.failures.length - shown.length;
    process.stderr.write(
      `parse: ${outcome.failures.length} failure${outcome.failures.length === 1 ? '' : 's'} in ${input}:\n${shown.map((f) => `  ${f}\n`).join('')}${more > 0 ? `  ... and ${more} more\n` : ''}`,
    );
  }
  return exitCodeForParse(outcome.kind);
};
