// `sea-harness bisect`: git bisect over a kernel tree with a case as the test (declared; lands with issue 6).
import { COMMON_GUEST, COMMON_OUTPUT, type CommandSpec } from '../options.js';
import { notImplemented } from './not-implemented.js';

export const spec: CommandSpec = {
  name: 'bisect',
  summary: 'Bisect a kernel git tree between --good and --bad with one case as the test, in the kernel workspace (your checkout and its bisect state are never touched); confirm the culprit.',
  usage: 'sea-harness bisect --kernel DIR --good REV --bad REV --case NAME [--series PATH] [--confirm N]',
  options: [
    { name: 'kernel', type: 'string', arg: 'DIR', help: 'kernel git tree' },
    { name: 'good', type: 'string', arg: 'REV', help: 'a revision where the case passes' },
    { name: 'bad', type: 'string', arg: 'REV', help: 'a revision where the case fails' },
    { name: 'case', type: 'string', arg: 'NAME', help: 'the case whose verdict decides' },
    { name: 'series', type: 'string', multiple: true, arg: 'PATH', help: 'series applied on top of every step' },
    { name: 'confirm', type: 'string', arg: 'N', help: 're-run the culprit and its parent N times each (default 2)' },
    ...COMMON_GUEST,
    ...COMMON_OUTPUT,
  ],
};
export const main = notImplemented(spec, 'issue 6 (bisect)');
