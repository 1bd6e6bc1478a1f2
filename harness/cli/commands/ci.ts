// `sea-harness ci`: base vs base+series for patch CI bots (declared; lands with issue 7).
import { COMMON_CASES, COMMON_GUEST, COMMON_KERNEL, COMMON_OUTPUT, type CommandSpec } from '../options.js';
import { notImplemented } from './not-implemented.js';

export const spec: CommandSpec = {
  name: 'ci',
  summary: 'Run the cases on the base and on base+series and report only what the series changed (exit 0 ok, 1 regressed, 3 infrastructure, 4 build broken, 5 did not apply).',
  usage: 'sea-harness ci [--kernel DIR --base REV] --series PATH [--case NAME ...] [--per-patch] [--out DIR]',
  options: [
    { name: 'base', type: 'string', arg: 'REV', help: 'base revision of --kernel (default: Debian\'s 7.3 source)' },
    { name: 'per-patch', type: 'boolean', help: 'build after each patch to name the one that breaks the build' },
    ...COMMON_KERNEL,
    ...COMMON_CASES,
    ...COMMON_GUEST,
    ...COMMON_OUTPUT,
  ],
};
export const main = notImplemented(spec, 'issue 7 (ci)');
