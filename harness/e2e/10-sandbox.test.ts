// Hostile patches of our own, applied on the series and built with the real CLI: the kernel build runs in the
// bubblewrap sandbox (util/sandbox.ts), so a Makefile rule that connects out, writes outside the workspace, reads
// an SSH private key or leaves a process behind is contained, and the verdict says what happened.
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, timed } from '../test-support/cli.js';
import { PATCHES, SERIES_MBOX } from '../test-support/paths.js';
import { E2E_TIMEOUT_MS } from '../test-support/timeouts.js';
import { defaultCacheDir } from '../util/context.js';

t.setTimeout(E2E_TIMEOUT_MS['10-sandbox']);

const CACHE = defaultCacheDir();
/** Where the write-out patch aims: HOME's .ssh (the bot runs as root) and the artifact store of the cache. */
const SSH_TARGET = '/root/.ssh/sea-harness-hostile-patch';
const STORE = join(CACHE, 'store');
const STORE_TARGET = join(STORE, 'sea-harness-hostile-patch');
/** Where the read-key patch looks for a run's SSH private key (it derives the cache from the work tree's path). */
const KEY_DIR = join(CACHE, 'e2e-hostile');

/** `build` of the 7.3 base + the series + one hostile patch; --rebuild so that make (and the rule) runs even on a store hit. */
async function hostileBuild(t: Test, patch: string) {
  const outDir = mkdtempSync(join(tmpdir(), `sea-e2e-sandbox-${patch}-`));
  const r = await runCli(['build', '--series', SERIES_MBOX, '--series', join(PATCHES, `hostile-${patch}.patch`), '--rebuild', '--out', outDir]);
  timed(t, `hostile patch ${patch}`, r.durationMs);
  const log = existsSync(join(outDir, 'build.log')) ? readFileSync(join(outDir, 'build.log'), 'utf8') : '';
  return { ...r, log, outDir };
}

t.test('a rule that opens TCP connections: refused in the sandbox, exit 4 naming the refusal, no connection arrives', async (t) => {
  const arrived: Socket[] = [];
  const server = createServer((s) => {
    arrived.push(s);
    s.destroy();
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(47221, '127.0.0.1', resolve));
  try {
    const r = await hostileBuild(t, 'net-out');
    t.equal(r.exitCode, 4, 'the build failed: exit 4', { stderr: r.stderr.slice(-2000) });
    t.match(r.stderr, /the kernel failed to build in the sandbox: sea-harness hostile patch: cannot connect to 127\.0\.0\.1:47221: .*Connection refused/, 'the reason is the refused connection');
    t.match(r.stderr, /hint: the build ran in the sandbox \(no network/);
    t.match(r.log, /# in the sandbox \(kernel build\)/, 'the build log says the make ran in the sandbox');
    t.equal(arrived.length, 0, 'the host listener on 127.0.0.1:47221 saw no connection');
  } finally {
    server.close();
  }
});

t.test('a rule that writes to /root/.ssh and into the artifact store: both fail, nothing appears, exit 4', async (t) => {
  rmSync(SSH_TARGET, { force: true });
  rmSync(STORE_TARGET, { force: true });
  const storeBefore = existsSync(STORE) ? readdirSync(STORE).sort() : [];
  const sshBefore = existsSync('/root/.ssh') ? readdirSync('/root/.ssh').sort() : null;
  const r = await hostileBuild(t, 'write-out');
  t.equal(r.exitCode, 4, 'exit 4', { stderr: r.stderr.slice(-2000) });
  t.match(r.log, `sea-harness hostile patch: cannot write ${SSH_TARGET}`, 'the write to .ssh failed');
  // The sandbox's /tmp is its own tmpfs (gcc's temporary files go there): with the cache under /tmp (a CI run
  // with SEA_HARNESS_CACHE=/tmp/...) the rule's mkdir succeeds in that private tmpfs and vanishes with it. Either
  // way nothing reaches the real store (checked below); elsewhere the read-only root refuses the write.
  if (!STORE.startsWith('/tmp/')) t.match(r.log, `sea-harness hostile patch: cannot write ${STORE_TARGET}`, 'the write to the store failed');
  t.match(r.log, /Read-only file system/, 'the sandbox\'s read-only root is what refused it');
  t.match(r.stderr, /failed to build in the sandbox: sea-harness hostile patch: cannot write/);
  t.notOk(existsSync(SSH_TARGET), `${SSH_TARGET} does not exist`);
  t.notOk(existsSync(STORE_TARGET), `${STORE_TARGET} does not exist`);
  t.same(existsSync(STORE) ? readdirSync(STORE).filter((n) => !storeBefore.includes(n)) : [], [], 'nothing new in the artifact store');
  t.same(existsSync('/root/.ssh') ? readdirSync('/root/.ssh').sort() : null, sshBefore, '/root/.ssh is as it was');
});

t.test('a rule that looks for SSH private keys (a real one where the patch looks): none readable, exit 4', async (t) => {
  mkdirSync(KEY_DIR, { recursive: true });
  const key = join(KEY_DIR, 'id_ed25519');
  rmSync(key, { force: true });
  rmSync(`${key}.pub`, { force: true });
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'sea-harness e2e: a run key the sandbox must hide', '-f', key]);
  t.ok(readFileSync(key, 'utf8').includes('PRIVATE KEY'), 'the key the patch looks for exists on the host');
  const r = await hostileBuild(t, 'read-key');
  t.equal(r.exitCode, 4, 'exit 4: the rule found no key', { stderr: r.stderr.slice(-2000) });
  t.match(r.stderr, /failed to build in the sandbox: sea-harness hostile patch: no SSH private key readable/);
  t.notMatch(r.log, /sea-harness hostile patch: read \//, 'no key was read');
});

t.test('a rule that leaves a process running: the build passes, the process does not outlive it', async (t) => {
  const r = await hostileBuild(t, 'background');
  t.equal(r.exitCode, 0, 'the build passes', { stderr: r.stderr.slice(-2000) });
  t.match(r.log, /sea-harness hostile patch: left sleep 3607 running/, 'the rule ran (make was not skipped)');
  let survivors = '';
  try {
    survivors = execFileSync('pgrep', ['-af', 'sleep 3607'], { encoding: 'utf8' });
  } catch {
    survivors = '';
  }
  t.equal(survivors, '', 'no `sleep 3607` survives the build');
});
