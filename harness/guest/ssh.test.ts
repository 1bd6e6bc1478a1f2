// Client keys: ssh2's ed25519 generator sometimes makes a key that does not parse (a recorded one, from the
// bisect step whose L1 could never be reached, is in fixtures/); generateClientKey never hands one out.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { generateClientKey, publicKeyBlob } from './ssh.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');

t.test('the recorded bad key: a 31-byte public key and a private key ssh2 cannot parse', async (t) => {
  t.equal(publicKeyBlob(fixture('ssh2-malformed-ed25519.key.pub')).length, 50);
  const parsed = ssh2.utils.parseKey(fixture('ssh2-malformed-ed25519.key'));
  t.ok(parsed instanceof Error, 'ssh2 refuses it');
});

t.test('ssh2 alone makes such keys about once in 256; generateClientKey never returns one', async (t) => {
  let bad = 0;
  for (let i = 0; i < 4000; i++) {
    const k = ssh2.utils.generateKeyPairSync('ed25519');
    if (publicKeyBlob(k.public).length !== 51) bad++;
  }
  t.ok(bad > 0, `ssh2's generator made ${bad} malformed keys in 4000 (why the check exists)`);
  for (let i = 0; i < 4000; i++) {
    const k = generateClientKey();
    if (publicKeyBlob(k.publicKey).length !== 51 || ssh2.utils.parseKey(k.privateKey) instanceof Error) {
      t.fail(`key ${i} is malformed: ${k.publicKey}`);
      return;
    }
  }
  t.pass('4000 keys, all well-formed');
});
