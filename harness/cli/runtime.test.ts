// The CLI runtime's last line of defence: an error thrown where no caller can catch it (an event handler) is a
// harness bug, exit 3 with the stack trace kept, never Node's exit 1 (which would read as a verdict). It takes a
// process of its own (the runtime exits it), running the TypeScript source.
import t from 'tap';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSourceScript, sourceUrl } from '../test-support/source-node.js';

t.test('an uncaught error in an event handler: exit 3, "internal error", the cleanup ran', async (t) => {
  const cache = mkdtempSync(join(tmpdir(), 'sea-runtime-'));
  const script = `
    const { runCommand } = await import(${JSON.stringify(sourceUrl('harness/cli/runtime.ts'))});
    await runCommand(async (rt) => {
      rt.ctx.cleanup.defer('mark', () => process.stderr.write('cleanup ran\\n'));
      setImmediate(() => { throw new Error('boom from an event handler'); });
      await new Promise(() => {});
      return 0;
    }, [], { verbose: false });`;
  const r = await runSourceScript(script, { env: { SEA_HARNESS_CACHE: cache } });
  t.equal(r.exitCode, 3, String(r.stderr));
  t.match(String(r.stderr), /sea-harness: internal error: boom from an event handler/);
  t.match(String(r.stderr), /cleanup ran/);
  const log = /stack trace: (\S+)/.exec(String(r.stderr))?.[1];
  t.ok(log && readFileSync(log, 'utf8').includes('boom from an event handler'), 'stack trace kept in a file');
});
