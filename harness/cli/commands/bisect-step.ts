// `sea-harness bisect-step`: one step for `git bisect run`, exit 0 good / 1 bad / 125 skip (declared; lands with issue 6).
import { COMMON_GUEST, COMMON_OUTPUT, type CommandSpec } from '../options.js';
import { notImplemented } from './not-implemented.js';

export const spec: CommandSpec = {
  name: 'bisect-step',
  summary: 'Build the current revision of the tree it runs in, run one case, and exit 0 (good), 1 (bad) or 125 (skip) for `git bisect run`. Not the exit codes of `run`.',
  usage: 'sea-harness bisect-step --case NAME [--series PATH] [--crash skip] [--build-failure bad] [--timeout-verdict bad]',
  options: [
    { name: 'case', type: 'string', arg: 'NAME', help: 'the case whose verdict decides' },
    { name: 'kernel', type: 'string', arg: 'DIR', help: 'kernel git tree (default: the current directory)' },
    { name: 'series', type: 'string', multiple: true, arg: 'PATH', help: 'series applied on top' },
    { name: 'crash', type: 'string', arg: 'bad|skip', help: 'how a crash counts (default bad)' },
    { name: 'build-failure', type: 'string', arg: 'skip|bad', help: 'how a build failure counts (default skip)' },
    { name: 'timeout-verdict', type: 'string', arg: 'skip|bad', help: 'how a timeout under TCG counts (default skip)' },
    ...COMMON_GUEST,
    ...COMMON_OUTPUT,
  ],
};
export const main = notImplemented(spec, 'issue 6 (bisect)');
