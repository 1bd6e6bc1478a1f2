// The cheap end-to-end checks: the real CLI (bin/sea-harness.js over dist/) on inputs that need no kernel, no
// image and no boot (parse on every KTAP fixture, --help, usage errors, bisect's up-front checks on a tiny git
// repository), and the shared series under ../shared read as `build` reads it. The expensive files (01-06) keep
// only what needs a kernel or a boot.
import t from 'tap';
import { existsSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { XMLValidator } from 'fast-xml-parser';
import { touchedKernelSources } from '../ci/compiler-warnings.js';
import { documentOutcome } from '../ktap/failures.js';
import type { KtapDocument } from '../model/ktap.js';
import { parseMessage, selectSeries, splitMbox } from '../kernel/mbox.js';
import { loadSeriesInputs } from '../kernel/series.js';
import { UsageError } from '../util/errors.js';
import { runCli } from '../test-support/cli.js';
import { ROOT, SEED_THREAD, SERIES_DIR, SERIES_MBOX } from '../test-support/paths.js';
import { E2E_TIMEOUT_MS } from '../test-support/timeouts.js';

t.setTimeout(E2E_TIMEOUT_MS['07-cli-cheap']);

const FIXTURES = join(ROOT, 'harness', 'ktap', 'fixtures');
const tmp = (tag: string) => mkdtempSync(join(tmpdir(), `sea-e2e-cheap-${tag}-`));
const messagesOf = (text: string) => splitMbox(text).map(parseMessage);

/** A three-commit git repository standing in for a kernel tree: bisect's up-front checks only need the history. */
async function tinyHistory(): Promise<{ dir: string; commits: string[] }> {
  const dir = tmp('tree');
  const env = { GIT_AUTHOR_NAME: 'sea-harness test', GIT_AUTHOR_EMAIL: 'test@sea-harness.invalid', GIT_COMMITTER_NAME: 'sea-harness test', GIT_COMMITTER_EMAIL: 'test@sea-harness.invalid' };
  const git = async (...args: string[]) => String((await execa('git', ['-C', dir, ...args], { env })).stdout).trim();
  await git('init', '-q', '-b', 'main');
  const commits: string[] = [];
  for (const n of [1, 2, 3]) {
    writeFileSync(join(dir, 'file.txt'), `${n}\n`);
    await git('add', 'file.txt');
    await git('commit', '-q', '-m', `change ${n}`);
    commits.push(await git('rev-parse', 'HEAD'));
  }
  return { dir, commits };
}

t.test('parse, every fixture: CLI JSON equals the checked document; exit 1 (and why on stderr) when a test failed or no KTAP was found', async (t) => {
  for (const f of readdirSync(FIXTURES).filter((x) => x.endsWith('.txt')).sort()) {
    const r = await runCli(['parse', join(FIXTURES, f), '--format', 'json']);
    const doc = JSON.parse(readFileSync(join(FIXTURES, f.replace(/\.txt$/, '.json')), 'utf8')) as KtapDocument;
    const outcome = documentOutcome(doc).kind;
    t.equal(r.exitCode, outcome === 'ok' ? 0 : 1, `${f}: ${outcome}`);
    if (outcome === 'ok') t.equal(r.stderr, '', `${f}: nothing on standard error`);
    else t.match(r.stderr, outcome === 'no-ktap' ? /^parse: no KTAP output found in / : /^parse: \d+ failures? in /, `${f}: why, on standard error`);
    t.same(JSON.parse(r.stdout), doc, f);
  }
});

t.test('parse exit codes: 0 passed, 1 failed or no KTAP, 2 usage and input too large; never 3 on hostile input', async (t) => {
  const dir = tmp('parse');
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const pass = await runCli(['parse', write('pass.ktap', 'KTAP version 1\n1..2\nok 1 a\nok 2 b # XPASS\n')]);
  t.equal(pass.exitCode, 0, 'XPASS is a pass');
  t.equal(pass.stderr, '');
  const failed = await runCli(['parse', write('fail.ktap', 'KTAP version 1\n1..2\nok 1 a\nnot ok 2 b\n'), '--format', 'json']);
  t.equal(failed.exitCode, 1);
  t.match(failed.stderr, /parse: 1 failure in .*fail\.ktap:\n {2}b: fail/);
  t.equal(JSON.parse(failed.stdout).tests.length, 2, 'the document is still written');
  const none = await runCli(['parse', write('none.txt', 'Random seed: 0x1\n==== Test Assertion Failure ====\n')]);
  t.equal(none.exitCode, 1);
  t.match(none.stderr, /parse: no KTAP output found in .*none\.txt/);
  const glued = Array.from({ length: 5000 }, (_, i) => `ok ${i + 1} # SKIP message without newline ${i + 1}`).join('');
  for (const format of ['json', 'human', 'junit', 'tap', 'markdown']) {
    const r = await runCli(['parse', write('glued.txt', `TAP version 13\n1..5000\n${glued}\n`), '--format', format]);
    t.equal(r.exitCode, 0, `5,000 results glued on one line, --format ${format}: exit 0`);
  }
  const prefixed = await runCli(['parse', write('console.log', '[    0.060000][    T1] KTAP version 1\n[    0.060000][    T1] 1..1\n[    0.060001][    T1] not ok 1 a\n'), '--format', 'json']);
  t.equal(prefixed.exitCode, 1, 'the result behind the printk caller id is read');
  t.equal(JSON.parse(prefixed.stdout).version, 'KTAP version 1');
  // A sparse file: 600 MiB that take no disk.
  const huge = join(dir, 'huge.txt');
  writeFileSync(huge, '');
  truncateSync(huge, 600 * 1024 * 1024);
  const big = await runCli(['parse', huge]);
  t.equal(big.exitCode, 2, 'input over the limit: a usage error');
  t.match(big.stderr, /parse: .*huge\.txt is 629145600 bytes \(600 MiB\), more than parse can read at once: 536870888 bytes/);
  t.match(big.stderr, /hint: parse it in parts/);
  const usage = await runCli(['parse']);
  t.equal(usage.exitCode, 2, 'no FILE: usage');
});

t.test('parse into a reader that goes away (| head): ends as a filter killed by SIGPIPE would (141), no stack trace', async (t) => {
  const file = join(mkdtempSync(join(tmpdir(), 'sea-e2e-epipe-')), 'many.ktap');
  writeFileSync(file, ['KTAP version 1', '1..20000', ...Array.from({ length: 20_000 }, (_, i) => `ok ${i + 1} - t${i + 1}`)].join('\n') + '\n');
  const r = await execa('bash', ['-o', 'pipefail', '-c', `node "$1" parse "$2" --format json | head -c 100 > /dev/null`, 'sh', join(ROOT, 'bin', 'sea-harness.js'), file], { reject: false });
  t.equal(r.exitCode, 141, 'the pipeline\'s status is parse\'s 141');
  t.notMatch(String(r.stderr), /EPIPE|at .*\.js:\d+/, 'no error report');
});

t.test('parse: junit of a fixture with failures and skips is XML; bad input is exit 2 naming it', async (t) => {
  const r = await runCli(['parse', join(FIXTURES, 'runner-timeout-console-noise.txt'), '--format', 'junit']);
  t.equal(r.exitCode, 1, 'a test failed');
  t.equal(XMLValidator.validate(r.stdout), true);
  t.match(r.stdout, /<failure/);
  const missing = await runCli(['parse', '/nonexistent/output.ktap']);
  t.equal(missing.exitCode, 2);
  t.match(missing.stderr, /cannot read \/nonexistent\/output\.ktap: ENOENT/);
  const badFormat = await runCli(['parse', join(FIXTURES, 'crlf.txt'), '--format', 'yaml']);
  t.equal(badFormat.exitCode, 2);
  t.match(badFormat.stderr, /--format "yaml": expected one of human, json, junit, tap, markdown/);
});

t.test('every command answers --help; bad input to ci, report and run --prebuilt is a clear usage error', async (t) => {
  for (const c of ['run', 'parse', 'build', 'shell', 'bisect', 'bisect-step', 'ci', 'report', 'doctor', 'cache', 'bot']) {
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
  const botState = tmp('bot-state');
  for (const [args, message] of [
    [['bot', '--state', botState], /bot needs at least one archive to watch: --archive URL/],
    [['bot', '--state', botState, '--archive', 'lore.kernel.org/kvmarm'], /--archive lore\.kernel\.org\/kvmarm: expected an http\(s\) URL/],
    [['bot', '--state', botState, '--archive', 'http://127.0.0.1:9/x', '--kernel', '/tmp'], /--kernel DIR and --base REV go together/],
    [['bot', '--state', botState, '--archive', 'http://127.0.0.1:9/x', '--since', 'yesterday-ish'], /--since "yesterday-ish": not a date/],
    [['bot', '--state', botState, '--archive', 'http://127.0.0.1:9/x', '--smtp', 'mailhost'], /--smtp "mailhost": expected HOST:PORT/],
    [['bot', '--state', botState, '--archive', 'http://127.0.0.1:9/x', '--from', 'nobody'], /--from "nobody": not a mail address/],
    [['bot', 'frob', '--state', botState], /bot: unknown subcommand "frob"/],
    [['run', '--series', 'msgid:not-an-id'], /--series msgid:not-an-id: "not-an-id" is not a Message-ID/],
  ] as const) {
    const r = await runCli([...args]);
    t.equal(r.exitCode, 2, `${args.join(' ')}: exit 2`);
    t.match(r.stderr, message);
  }
  const botStatus = await runCli(['bot', 'status', '--state', botState, '--format', 'json']);
  t.equal(botStatus.exitCode, 0, 'bot status of a new state: exit 0');
  t.match(JSON.parse(botStatus.stdout), { schema: 'sea-harness/bot-status@1', jobs: [], flakes: [] });
  const unknown = await runCli(['frobnicate']);
  t.equal(unknown.exitCode, 2);
  t.match(unknown.stderr, /unknown command "frobnicate"/);
  const prebuilt = await runCli(['run', '--prebuilt', tmp('empty')]);
  t.equal(prebuilt.exitCode, 2, 'a directory without kernel.json is a usage error');
  t.match(prebuilt.stderr, /no kernel\.json there.*\n.*build --out DIR/);
  const covPrebuilt = await runCli(['run', '--coverage', '--series', SERIES_MBOX, '--prebuilt', tmp('cov')]);
  t.equal(covPrebuilt.exitCode, 2, '--coverage with --prebuilt: usage');
  t.match(covPrebuilt.stderr, /--coverage needs the kernel built by this run: a --prebuilt kernel has no gcov notes/);
  const covNoSeries = await runCli(['run', '--coverage']);
  t.equal(covNoSeries.exitCode, 2, '--coverage without a series: usage');
  t.match(covNoSeries.stderr, /--coverage measures the lines a series adds: give it one with --series PATH/);
});

t.test("bisect's up-front checks on a tiny git repository: clear errors, exit 2; bisect-step's usage error is 128", async (t) => {
  const { dir, commits } = await tinyHistory();
  const [first] = commits;
  const cases: Array<[string[], RegExp]> = [
    [['--kernel', tmp('empty'), '--good', 'a', '--bad', 'b', '--case', 'inject_iabt'], /not a git tree/],
    [['--kernel', dir, '--good', 'no-such-rev', '--bad', 'main', '--case', 'inject_iabt'], /--good no-such-rev: no such revision/],
    [['--kernel', dir, '--good', 'main', '--bad', first!, '--case', 'inject_iabt'], /is not an ancestor of --bad/],
    [['--kernel', dir, '--good', first!, '--bad', 'main', '--case', 'nope'], /--case nope: no such case/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(['bisect', ...args]);
    t.equal(r.exitCode, 2, `exit 2 for ${args.join(' ')}`);
    t.match(r.stderr, message);
  }
  const step = await runCli(['bisect-step', '--kernel', dir]);
  t.equal(step.exitCode, 128, 'bisect-step usage error: 128, which stops git bisect run');
  t.match(step.stderr, /needs the case that decides/);
});

t.test('the shared mbox (../shared/series): cover skipped, three patches in order', async (t) => {
  const sel = selectSeries(messagesOf(readFileSync(SERIES_MBOX, 'utf8')));
  t.equal(sel.patches.length, 3);
  t.same(sel.patches.map((p) => p.n), [1, 2, 3]);
  t.equal(sel.patches[0]!.title, 'KVM: arm64: Set FnV for VCPU when FAR_EL2 is invalid');
  t.ok(sel.cover, 'cover letter recognised');
  t.same(sel.missing, []);
  t.ok(sel.ignored.some((i) => i.why === 'cover letter'));
});

t.test('the shared patch directory gives the same patches', async (t) => {
  const files = readdirSync(SERIES_DIR).sort();
  const msgs = files.flatMap((f) => messagesOf(readFileSync(join(SERIES_DIR, f), 'utf8')));
  const sel = selectSeries(msgs);
  t.same(sel.patches.map((p) => p.title), selectSeries(messagesOf(readFileSync(SERIES_MBOX, 'utf8'))).patches.map((p) => p.title));
});

t.test("the kernel C files the shared series touches (what ci rebuilds with W=1)", async (t) => {
  const patches = readdirSync(SERIES_DIR).filter((f) => /^000[1-9].*\.patch$/.test(f)).sort().map((f) => readFileSync(join(SERIES_DIR, f), 'utf8'));
  t.equal(patches.length, 3);
  const files = touchedKernelSources(patches);
  t.ok(files.includes('arch/arm64/kvm/guest.c'), 'guest.c');
  t.notOk(files.some((f) => f.startsWith('tools/')), 'selftests are not kernel objects');
  t.notOk(files.some((f) => !f.endsWith('.c')), 'only C files');
});

t.test('series intake on ../shared: the shared mbox and directory load as v2, three patches; the seed thread is no mbox and is refused saying so', async (t) => {
  for (const path of [SERIES_MBOX, SERIES_DIR]) {
    const [s] = await loadSeriesInputs([path]);
    t.same([s!.version, s!.versions, s!.complete, s!.missing, s!.total], [2, [2], [2], [], 3], `${path}: v2 ("v2-port"), complete`);
    t.same(s!.patches.map((p) => `${p.n}/${p.total} ${p.title}`), [
      '1/3 KVM: arm64: Set FnV for VCPU when FAR_EL2 is invalid',
      '2/3 KVM: arm64: Allow userspace to inject external instruction aborts',
      '3/3 KVM: selftests: Test for KVM_CAP_INJECT_EXT_IABT',
    ]);
    t.same(s!.ignored.map((i) => i.why), ['cover letter'], 'only the cover left out');
  }
  // The seed thread is the thread as a web archive page shows it: no Subject, From or Message-ID lines, no message
  // boundaries, each diff hunk joined onto one line. No version or patch can be read from it, and git am could
  // not apply its diffs: loading it must say that, not pick a "patch" out of it.
  const seed = await loadSeriesInputs([SEED_THREAD]).catch((e: unknown) => e);
  t.type(seed, UsageError);
  t.match((seed as UsageError).message, /no patches to apply; left out:\n {2}\(no subject\): not a mail: no Subject header/);
  t.match((seed as UsageError).hint, /diff text but no mail headers/);
  const cli = await runCli(['build', '--series', SEED_THREAD]);
  t.equal(cli.exitCode, 2, 'build --series on the seed thread: a usage error, before any work');
  t.match(cli.stderr, /hint: the input has diff text but no mail headers .* b4 mbox <message-id>/);
});

t.test('the shared series with its 2/3 taken out: exit 5 naming the gap before any work (run, ci, build); bisect-step skips it (125)', async (t) => {
  const dir = tmp('gap');
  const mails = splitMbox(readFileSync(SERIES_MBOX, 'utf8'));
  const gapped = join(dir, 'series-without-2.mbox');
  writeFileSync(gapped, mails.filter((m) => !/^Subject: \[PATCH [^\]]* 2\/3\]/m.test(m)).map((m) => `From mboxrd@z Thu Jan  1 00:00:00 1970\n${m}\n`).join(''));
  for (const command of ['run', 'ci', 'build']) {
    const out = join(dir, `out-${command}`);
    const r = await runCli([command, '--series', gapped, '--out', out]);
    t.equal(r.exitCode, 5, `${command}: exit 5`);
    t.match(r.stderr, `[series] --series ${gapped}: series v2 is missing patch 2/3 (have 1/3, 3/3)\n  hint: fetch the whole thread, e.g. b4 am <message-id of the cover letter>`, 'git format-patch mails have no Message-ID to name');
    t.notOk(existsSync(out), `${command}: refused before any work (no --out written)`);
    t.ok(r.durationMs < 20_000, `${command}: at once (${r.durationMs} ms), no kernel source needed`);
  }
  const { dir: tree, commits } = await tinyHistory();
  const step = await runCli(['bisect-step', '--kernel', tree, '--case', 'inject_iabt', '--series', gapped, '--out', join(dir, 'step')]);
  t.equal(step.exitCode, 125, 'bisect-step: skip, as for a series that does not apply');
  t.match(step.stderr, /series v2 is missing patch 2\/3[^]*bisect-step: skip \(exit 125\)/);
  const [first] = commits;
  const bisect = await runCli(['bisect', '--kernel', tree, '--good', first!, '--bad', 'main', '--case', 'inject_iabt', '--series', gapped, '--out', join(dir, 'bisect')]);
  t.equal(bisect.exitCode, 2, 'bisect: the user\'s input to fix before any step, exit 2 (bisect has no exit 5)');
  t.match(bisect.stderr, /series v2 is missing patch 2\/3/);
});
