// How a bisect's end becomes its exit code (the bisect command's row of DESIGN.md's table).
import t from 'tap';
import { exitCodeForBisect } from './exit-codes.js';

t.test('bisect ends to exit codes', async (t) => {
  t.equal(exitCodeForBisect('confirmed'), 0, 'a confirmed culprit');
  t.equal(exitCodeForBisect('unconfirmed'), 1, 'a culprit that did not confirm');
  t.equal(exitCodeForBisect('candidates'), 1, 'several candidates (skipped commits)');
  t.equal(exitCodeForBisect('endpoints-wrong'), 2, '--good not good or --bad not bad: the input');
  t.equal(exitCodeForBisect('infrastructure'), 3);
});
