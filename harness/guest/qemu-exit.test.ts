// How QEMU's end is read when bubblewrap stands between: a child killed by signal N is bwrap's exit 128 + N.
import t from 'tap';
import { signalFromShellCode } from './qemu.js';

t.test('128 + N names signal N; 128 itself, ordinary exit codes and numbers past the signals do not', async (t) => {
  t.equal(signalFromShellCode(137), 'SIGKILL');
  t.equal(signalFromShellCode(143), 'SIGTERM');
  t.equal(signalFromShellCode(130), 'SIGINT');
  t.equal(signalFromShellCode(129), 'SIGHUP');
  t.equal(signalFromShellCode(128), null);
  t.equal(signalFromShellCode(0), null);
  t.equal(signalFromShellCode(1), null);
  t.equal(signalFromShellCode(255), null);
});
