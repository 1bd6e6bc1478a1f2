// Command-line options as a table: parsing, validation with the bad value quoted, and --help text.
import { parseArgs } from 'node:util';
import { UsageError } from '../util/errors.js';

export interface OptionSpec {
  readonly name: string;
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
  readonly arg?: string;
  readonly help: string;
}

/** Read by cli/main.ts before the command runs (it goes into the Context): every command that builds a kernel takes it. */
export const NO_SANDBOX: OptionSpec = {
  name: 'no-sandbox',
  type: 'boolean',
  help: 'run the tree\'s and the series\' code (kernel config and build, headers, selftests build, checkpatch, W=1) unconfined: for hosts where bubblewrap cannot make user namespaces; the report says so',
};

export const COVERAGE: OptionSpec = {
  name: 'coverage',
  type: 'boolean',
  help: 'patch coverage: build the series\' C files with gcov (an incremental rebuild of those objects) and report, per patch, which of its kernel lines ran in the L1 (README "Patch coverage")',
};

export const COMMON_KERNEL: readonly OptionSpec[] = [
  { name: 'kernel', type: 'string', arg: 'DIR', help: 'kernel tree to test (git or not); default: Debian\'s linux-source-7.3' },
  { name: 'ref', type: 'string', arg: 'REV', help: 'revision of the --kernel git tree (the user\'s checkout is never modified)' },
  { name: 'debian-version', type: 'string', arg: 'X.Y', help: 'Debian linux-source-X.Y to use when no --kernel is given (default 7.3)' },
  { name: 'series', type: 'string', multiple: true, arg: 'PATH|msgid:ID|URL', help: 'patch series to apply with git am -3: mbox, .patch file or directory, or a thread fetched with b4 from a public-inbox archive by msgid:<Message-ID> or its URL (repeatable, in order)' },
  { name: 'archive', type: 'string', arg: 'URL', help: 'public-inbox archive for msgid: series (default $SEA_HARNESS_ARCHIVE, else https://lore.kernel.org/all)' },
  { name: 'series-version', type: 'string', arg: 'N', help: 'which version of the series to take from a thread mbox (default: the newest)' },
  { name: 'config', type: 'string', multiple: true, arg: 'FRAGMENT', help: 'extra kconfig fragment (repeatable; gets its own workspace)' },
  NO_SANDBOX,
];

export const COMMON_CASES: readonly OptionSpec[] = [
  { name: 'case', type: 'string', multiple: true, arg: 'NAME', help: 'case from cases/ (repeatable; default sea_to_user, inject_iabt, external_aborts)' },
  { name: 'selftest', type: 'string', multiple: true, arg: 'DIR/NAME', help: 'ad-hoc case: any KVM selftest of the tree, e.g. arm64/hello_el2' },
  { name: 'repeat', type: 'string', arg: 'N', help: 'run the cases N times and report each' },
];

export const COMMON_OUTPUT: readonly OptionSpec[] = [
  { name: 'out', type: 'string', arg: 'DIR', help: 'artifact directory (default: a new directory under ./sea-out/)' },
  { name: 'deadline', type: 'string', arg: 'SECONDS', help: 'give up on the whole command after this long, downloads and builds included' },
  { name: 'verbose', type: 'boolean', short: 'v', help: 'more progress detail on standard error' },
];

export const HELP: OptionSpec = { name: 'help', type: 'boolean', short: 'h', help: 'show this help' };

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: readonly OptionSpec[];
  readonly positionals?: { readonly min: number; readonly max: number };
  readonly examples?: readonly string[];
}

export type ParsedOptions = Record<string, string | boolean | string[] | undefined>;

export function parseCommand(spec: CommandSpec, argv: readonly string[]): { values: ParsedOptions; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const o of [...spec.options, HELP]) {
    options[o.name] = { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${spec.name}: ${(err as Error).message}`, `see \`npx sea-harness ${spec.name} --help\``);
  }
  const values = parsed.values as ParsedOptions;
  if (!values.help) {
    const n = parsed.positionals.length;
    const { min, max } = spec.positionals ?? { min: 0, max: 0 };
    if (n < min || n > max) {
      throw new UsageError(`${spec.name}: expected ${min === max ? min : `${min} to ${max}`} argument(s), got ${n}${n ? `: ${parsed.positionals.join(' ')}` : ''}`, `usage: ${spec.usage}`);
    }
  }
  return { values, positionals: parsed.positionals };
}

export function helpText(spec: CommandSpec): string {
  const lines = [`usage: ${spec.usage}`, '', spec.summary, '', 'options:'];
  for (const o of [...spec.options, HELP]) {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${o.name}${o.arg ? ` ${o.arg}` : ''}`;
    lines.push(`  ${flag.padEnd(30)} ${o.help}`);
  }
  if (spec.examples?.length) lines.push('', 'examples:', ...spec.examples.map((e) => `  ${e}`));
  return lines.join('\n') + '\n';
}

export function str(values: ParsedOptions, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function list(values: ParsedOptions, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

export function int(values: ParsedOptions, name: string, min = 1): number | undefined {
  const v = str(values, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`--${name} "${v}": expected a whole number >= ${min}`);
  return Number(v);
}

export function oneOf<T extends string>(values: ParsedOptions, name: string, allowed: readonly T[]): T | undefined {
  const v = str(values, name);
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) throw new UsageError(`--${name} "${v}": expected one of ${allowed.join(', ')}`);
  return v as T;
}
