// --format, the same option for every command: its declaration from the formats the command prints, and the one
// parser (validation with the bad value quoted; human plus at most one machine format, which owns standard output).
import { UsageError } from '../util/errors.js';
import { str, type OptionSpec, type ParsedOptions } from './options.js';

export interface FormatChoice<F extends string> {
  /** What goes to standard output. */
  readonly stdout: F;
  /** A machine format owns standard output: the human report (if any) goes to standard error. */
  readonly humanToStderr: boolean;
}

/** The --format declaration of a command that prints `formats` (the first is the default). */
export function formatOption(formats: readonly string[], note = ''): OptionSpec {
  const several = formats.includes('human') && formats.length > 2;
  return {
    name: 'format',
    type: 'string',
    arg: several ? 'LIST' : 'FORMAT',
    help: `${formats.join(', ')} (default ${formats[0]})${several ? '; comma-separated: a machine format alone owns standard output, human then goes to standard error' : ''}${note ? `; ${note}` : ''}`,
  };
}

/** Parse --format against the command's formats; `human,json` is human on standard error and json on standard output. */
export function formatChoice<F extends string>(values: ParsedOptions, formats: readonly F[]): FormatChoice<F> {
  const given = str(values, 'format');
  const list = (given ?? formats[0]!).split(',').map((s) => s.trim()).filter(Boolean);
  for (const f of list) if (!formats.includes(f as F)) throw new UsageError(`--format "${f}": expected one of ${formats.join(', ')}`);
  if (list.length === 0) throw new UsageError(`--format "${given}": expected one of ${formats.join(', ')}`);
  const machine = list.filter((f) => f !== 'human') as F[];
  if (machine.length > 1) throw new UsageError(`--format ${list.join(',')}: only one machine format can own standard output`, 'every format is also written to the --out directory');
  if (machine.length === 1) return { stdout: machine[0]!, humanToStderr: list.includes('human' as F) || list.length === 1 };
  return { stdout: list[0] as F, humanToStderr: false };
}
