// `sea-harness report merge`: combine result files of several runs (declared; lands with issue 7).
import { COMMON_OUTPUT, type CommandSpec } from '../options.js';
import { notImplemented } from './not-implemented.js';

export const spec: CommandSpec = {
  name: 'report',
  summary: 'report merge FILE...: combine result.json / ci.json files of several runs into one report.',
  usage: 'sea-harness report merge FILE... [--out DIR] [--format LIST]',
  options: [...COMMON_OUTPUT],
  positionals: { min: 1, max: 1000 },
};
export const main = notImplemented(spec, 'issue 7 (ci)');
