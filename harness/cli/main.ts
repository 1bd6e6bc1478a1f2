#!/usr/bin/env node
// `sea-harness <command>`: dispatch to one module per command; global --help and version.
import { harnessVersion } from '../util/project.js';
import { ExitCode, UsageError } from '../util/errors.js';
import { helpText, type CommandSpec } from './options.js';
import { reportError, runCommand, type CommandMain } from './runtime.js';
import { defaultCacheDir } from '../util/context.js';

interface CommandModule {
  readonly spec: CommandSpec;
  readonly main: CommandMain;
}

const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  run: () => import('./commands/run.js'),
  parse: () => import('./commands/parse.js'),
  build: () => import('./commands/build.js'),
  shell: () => import('./commands/shell.js'),
  bisect: () => import('./commands/bisect.js'),
  'bisect-step': () => import('./commands/bisect-step.js'),
  ci: () => import('./commands/ci.js'),
  report: () => import('./commands/report.js'),
  doctor: () => import('./commands/doctor.js'),
  cache: () => import('./commands/cache.js'),
  bot: () => import('./commands/bot.js'),
};

const SUMMARY: Record<string, string> = {
  run: 'the whole pipeline: build, boot the L1, run the cases, report',
  parse: 'parse KTAP / TAP / kselftest output and print it in a chosen format',
  build: 'kernel + selftests + image only; print the artifact paths',
  shell: 'boot the L1 and open a shell in it (--exec CMD runs one command)',
  bisect: 'drive git bisect over a kernel tree with a case as the test',
  'bisect-step': 'one bisect step for `git bisect run` (exit 0 good / 1 bad / 125 skip)',
  ci: 'bot mode: base vs base+series, report what the series changed',
  report: '`report merge`: combine result files of several runs',
  doctor: 'check the host (tools, versions, firmware, disk, accel); --install sets it up',
  cache: 'list and clean the workspaces, artifact store and images',
};

function usage(): string {
  const lines = [`sea-harness ${harnessVersion()}: does this arm64 kernel handle synchronous external aborts in KVM correctly?`, '', 'usage: npx sea-harness <command> [options]', '', 'commands:'];
  for (const [name, text] of Object.entries(SUMMARY)) lines.push(`  ${name.padEnd(12)} ${text}`);
  lines.push('', 'Run `npx sea-harness <command> --help` for its options. Exit codes: see README.md.');
  return lines.join('\n') + '\n';
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : ExitCode.usage;
  }
  if (name === '--version') {
    process.stdout.write(`${harnessVersion()}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) return reportError(new UsageError(`unknown command "${name}"`, `commands: ${Object.keys(COMMANDS).join(', ')}`), defaultCacheDir(), null);
  const mod = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(helpText(mod.spec));
    return 0;
  }
  const verbose = rest.includes('--verbose') || rest.includes('-v');
  const di = rest.indexOf('--deadline');
  const deadline = di >= 0 ? Number(rest[di + 1]) : undefined;
  const sandbox = rest.includes('--no-sandbox') ? 'off' : 'bubblewrap';
  return runCommand(mod.main, rest, { verbose, sandbox, ...(deadline && Number.isFinite(deadline) && deadline > 0 ? { deadlineSeconds: deadline } : {}) });
}

// A reader that goes away (`parse big.log | head`) is not a harness error: end as a Unix filter does when
// SIGPIPE kills it (128 + 13), without a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(141);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.exitCode = reportError(err, defaultCacheDir(), null);
  },
);
