// The sandbox's arguments, as rules: what is visible, what is writable, what the command's environment holds.
import t from 'tap';
import { bwrapArgs, confinementText, policyProblems, SANDBOX_BASE_ENV } from './sandbox.js';

const LINKS: Array<[string, string]> = [['/bin', 'usr/bin'], ['/lib', 'usr/lib']];
const WS = { purpose: 'kernel build', writable: ['/c/ws/src', '/c/ws/build'], readOnlyWithin: ['/c/ws/src/.git'] };

/** The pairs after each occurrence of `flag`. */
function bound(args: readonly string[], flag: string): string[] {
  const out: string[] = [];
  args.forEach((a, i) => {
    if (a === flag) out.push(`${args[i + 1]} -> ${args[i + 2]}`);
  });
  return out;
}

t.test('namespaces: all unshared (no network), dies with the harness, its own session, uid and gid 65534', async (t) => {
  const args = bwrapArgs(WS, { file: 'make', args: ['Image'] }, LINKS);
  t.same(args.slice(0, 9), ['--unshare-all', '--die-with-parent', '--new-session', '--uid', '65534', '--gid', '65534', '--hostname', 'sandbox']);
  t.notOk(args.includes('--share-net'), 'the network stays unshared');
});

t.test('the system read-only, the merged-/usr links, fresh /proc /dev /tmp; nothing of HOME or the cache', async (t) => {
  const args = bwrapArgs(WS, { file: 'make', args: [] }, LINKS);
  t.same(bound(args, '--ro-bind'), ['/usr -> /usr', '/etc -> /etc', '/c/ws/src/.git -> /c/ws/src/.git']);
  t.same(bound(args, '--symlink'), ['usr/bin -> /bin', 'usr/lib -> /lib']);
  t.same(bound(args, '--bind'), ['/c/ws/src -> /c/ws/src', '/c/ws/build -> /c/ws/build'], 'only the work tree and the build directory are writable');
  t.ok(args.join(' ').includes('--proc /proc --dev /dev --tmpfs /tmp'));
  t.notOk(args.some((a) => a.startsWith('/root')), 'HOME is not bound');
  const ro = args.indexOf('--remount-ro');
  t.equal(args[ro + 1], '/', 'the root is remounted read-only');
  t.ok(ro > args.lastIndexOf('--bind') && ro > args.lastIndexOf('--ro-bind'), 'after every bind');
});

t.test('the .git inside the writable work tree is bound read-only after it (bwrap: a later bind covers an earlier one)', async (t) => {
  const args = bwrapArgs(WS, { file: 'make', args: [] }, LINKS);
  const rw = args.lastIndexOf('/c/ws/src', args.indexOf('/c/ws/src/.git'));
  t.ok(args.indexOf('--bind') < args.indexOf('/c/ws/src/.git'), 'the read-only .git comes after the writable tree');
  t.ok(rw > 0);
});

t.test('readable paths are read-only binds; a policy with nothing writable binds nothing read-write', async (t) => {
  const args = bwrapArgs({ purpose: 'checkpatch', writable: [], readable: ['/c/ws/checkpatch-x'] }, { file: 'perl', args: ['x.pl'] }, []);
  t.same(bound(args, '--bind'), []);
  t.ok(bound(args, '--ro-bind').includes('/c/ws/checkpatch-x -> /c/ws/checkpatch-x'));
});

t.test('the environment: cleared, then the base (no HOME of the caller) and the step\'s own variables; undefined dropped', async (t) => {
  const args = bwrapArgs(WS, { file: 'make', args: ['-j2', 'Image'], env: { LANG: 'C', DROPPED: undefined, HOME: '/elsewhere' } }, LINKS);
  const clear = args.indexOf('--clearenv');
  t.ok(clear > 0, 'the caller\'s environment is cleared');
  const set = bound(args, '--setenv');
  t.same(set, [`PATH -> ${SANDBOX_BASE_ENV.PATH}`, 'HOME -> /elsewhere', 'TMPDIR -> /tmp', 'LANG -> C']);
  t.ok(args.indexOf('--setenv') > clear, 'variables are set after the clear');
  t.same(args.slice(-4), ['--', 'make', '-j2', 'Image'], 'the command comes last, after --');
});

t.test('the working directory is passed with --chdir; without one, none', async (t) => {
  t.ok(bwrapArgs(WS, { file: 'make', args: [], cwd: '/c/ws/src' }, LINKS).join(' ').includes('--chdir /c/ws/src --'));
  t.notOk(bwrapArgs(WS, { file: 'make', args: [] }, LINKS).includes('--chdir'));
});

t.test('a relative path in a policy is a problem named with the step', async (t) => {
  t.same(policyProblems({ purpose: 'kernel build', writable: ['ws/src', '/abs'], readable: ['rel'] }), [
    'kernel build: sandbox path "ws/src" is not absolute',
    'kernel build: sandbox path "rel" is not absolute',
  ]);
  t.same(policyProblems(WS), []);
});

t.test('the report line says plainly when the build was not confined', async (t) => {
  t.equal(confinementText({ kind: 'none', reason: '--no-sandbox' }), 'NOT confined (--no-sandbox)');
  t.equal(
    confinementText({ kind: 'bubblewrap', version: '0.8.0', uid: 65534, network: 'none', writable: ['kernel work tree'], readOnly: ['/usr'] }),
    'bubblewrap 0.8.0: uid 65534, no network, writable: kernel work tree; read-only: /usr',
  );
});

t.test('QEMU\'s policy: the host network kept (the SSH forward), /dev/kvm passed through, nothing writable', async (t) => {
  const args = bwrapArgs({ purpose: 'QEMU', writable: [], readable: ['/c/store/Image'], network: 'host', devices: ['/dev/kvm'] }, { file: '/c/q/qemu-system-aarch64', args: ['-M', 'virt'] }, LINKS);
  t.equal(args[9], '--share-net', 'right after the namespaces');
  t.same(bound(args, '--dev-bind'), ['/dev/kvm -> /dev/kvm']);
  t.ok(args.indexOf('--dev-bind') > args.indexOf('--dev'), 'after the fresh /dev');
  t.same(bound(args, '--bind'), []);
  t.notOk(bwrapArgs(WS, { file: 'make', args: [] }, LINKS).includes('--share-net'), 'a build keeps no network');
});
