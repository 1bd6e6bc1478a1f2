// `sea-harness doctor`: what the host has and lacks; `--install` installs what is missing through apt.
import { doctor, installMissing } from '../../host/doctor.js';
import { parseCommand, str, type CommandSpec } from '../options.js';
import { formatChoice, formatOption } from '../format.js';
import type { CommandMain } from '../runtime.js';

export const spec: CommandSpec = {
  name: 'doctor',
  summary: 'Check the host: tools and their versions, missing pieces with the Debian package to install, free disk, and whether KVM or TCG will run the L1. With --install, install what is missing (root; a private apt configuration, the system\'s sources stay untouched).',
  usage: 'sea-harness doctor [--install] [--tests] [--format human|json]',
  options: [
    { name: 'install', type: 'boolean', help: 'install missing packages through apt (bookworm + bookworm-backports)' },
    { name: 'tests', type: 'boolean', help: 'also what the test suite needs (public-inbox, aiosmtpd: the bot test\'s servers); `make test` uses it' },
    formatOption(['human', 'json']),
    { name: 'verbose', type: 'boolean', short: 'v', help: 'more detail' },
  ],
  examples: ['npx sea-harness doctor', 'sudo npx sea-harness doctor --install'],
};

export const main: CommandMain = async (rt, argv) => {
  const { values } = parseCommand(spec, argv);
  const tests = Boolean(values.tests);
  if (values.install) await installMissing(rt.ctx, tests);
  const report = await doctor(rt.ctx, tests);
  if (formatChoice(values, ['human', 'json'] as const).stdout === 'json') {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else {
    const lines = report.checks.map((c) => `${c.ok ? 'ok     ' : 'MISSING'} ${c.name.padEnd(20)} ${c.ok ? c.version : `apt-get install ${c.package}  (${c.why})`}`);
    lines.push(`disk    ${report.freeDiskGiB.toFixed(1)} GiB free in ${report.cacheDir} (a kernel workspace takes about 3 GiB)`);
    lines.push(`accel   ${report.accel.kvmUsable ? 'kvm' : 'tcg'}: ${report.accel.reason}`);
    process.stdout.write(lines.join('\n') + '\n');
  }
  return report.checks.every((c) => c.ok) ? 0 : 3;
};
