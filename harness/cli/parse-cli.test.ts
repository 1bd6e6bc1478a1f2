// `sea-harness parse FILE --format json` prints the sea-harness/ktap@1 document of every fixture, through the real CLI.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { runCli } from '../test-support/cli.js';
import { ROOT } from '../test-support/paths.js';

const FIXTURES = join(ROOT, 'harness', 'ktap', 'fixtures');

t.test('every fixture: CLI JSON equals the checked document', async (t) => {
  for (const f of readdirSync(FIXTURES).filter((x) => x.endsWith('.txt')).sort()) {
    const r = await runCli(['parse', join(FIXTURES, f), '--format', 'json']);
    t.equal(r.exitCode, 0, `${f}: exit 0`);
    t.equal(r.stderr, '', `${f}: nothing on standard error`);
    t.same(JSON.parse(r.stdout), JSON.parse(readFileSync(join(FIXTURES, f.replace(/\.txt$/, '.json')), 'utf8')), f);
  }
});

t.test('junit of a fixture with failures and skips is XML; bad input is exit 2 naming it', async (t) => {
  const r = await runCli(['parse', join(FIXTURES, 'runner-timeout-console-noise.txt'), '--format', 'junit']);
  t.equal(r.exitCode, 0);
  t.equal(XMLValidator.validate(r.stdout), true);
  t.match(r.stdout, /<failure/);
  const missing = await runCli(['parse', '/nonexistent/output.ktap']);
  t.equal(missing.exitCode, 2);
  t.match(missing.stderr, /cannot read \/nonexistent\/output\.ktap: ENOENT/);
  const badFormat = await runCli(['parse', join(FIXTURES, 'crlf.txt'), '--format', 'yaml']);
  t.equal(badFormat.exitCode, 2);
  t.match(badFormat.stderr, /--format "yaml": expected one of human, json, junit, tap, markdown/);
});

t.test('every command answers --help; bad input to ci, report and bisect-step is a clear usage error', async (t) => {
  for (const c of ['run', 'parse', 'build', 'shell', 'bisect', 'bisect-step', 'ci', 'report', 'doctor', 'cache']) {
    const r = await runCli([c, '--help']);
    t.equal(r.exitCode, 0, `${c} --help`);
    t.match(r.stdout, /^usage: sea-harness /, `${c} usage`);
  }
  const ci = await runCli(['ci', '--series', 'x']);
  t.equal(ci.exitCode, 2);
  t.match(ci.stderr, /--series x: no such file or directory/);
  const noSeries = await runCli(['ci']);
  t.equal(noSeries.exitCode, 2);
  t.match(noSeries.stderr, /ci needs the series to test: --series PATH/);
  const merge = await runCli(['report', 'merge', 'no-such-file.json']);
  t.equal(merge.exitCode, 2);
  t.match(merge.stderr, /report merge: no-such-file\.json: no such file or directory/);
  const other = await runCli(['report', 'frob', 'x']);
  t.equal(other.exitCode, 2);
  t.match(other.stderr, /report frob: unknown subcommand/);
  const unknown = await runCli(['frobnicate']);
  t.equal(unknown.exitCode, 2);
  t.match(unknown.stderr, /unknown command "frobnicate"/);
});
