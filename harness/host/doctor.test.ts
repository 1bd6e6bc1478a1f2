// Version floors of host requirements (meson >= 1.5 for QEMU 10: bookworm's 1.0 must not pass).
import t from 'tap';
import { versionAtLeast } from './doctor.js';
import { REQUIREMENTS } from './requirements.js';

t.test('versionAtLeast reads the first x.y[.z] of a version line', async (t) => {
  t.ok(versionAtLeast('1.7.0', '1.5'));
  t.ok(versionAtLeast('1.5.0', '1.5'), 'equal is enough');
  t.notOk(versionAtLeast('1.0.1', '1.5'), "bookworm's meson");
  t.notOk(versionAtLeast('1.4.99', '1.5'));
  t.ok(versionAtLeast('2.0', '1.5'), 'a higher major');
  t.notOk(versionAtLeast('0.63.3', '1.5'));
  t.ok(versionAtLeast('ninja 1.11.1', '1.11.1'));
  t.notOk(versionAtLeast('no version here', '1.0'));
});

t.test("meson is asked for at 1.5 from bookworm-backports", async (t) => {
  const meson = REQUIREMENTS.find((r) => r.name === 'meson');
  t.equal(meson?.minVersion, '1.5');
  t.equal(meson?.target, 'bookworm-backports');
});
