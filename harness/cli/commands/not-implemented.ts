// Commands whose issue has not landed yet: declared with their help, failing clearly.
import { HarnessError } from '../../util/errors.js';
import type { CommandSpec } from '../options.js';
import type { CommandMain } from '../runtime.js';

export function notImplemented(spec: CommandSpec, issue: string): CommandMain {
  return async () => {
    throw new HarnessError(`\`${spec.name}\` is not implemented yet`, { stage: 'cli', exitCode: 2, hint: `it lands with ${issue}; see README.md for what works today` });
  };
}
