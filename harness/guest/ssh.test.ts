// Client keys: what generateClientKey guarantees, whatever ssh2's generator does. Every key it returns parses with
// the real ssh2 parser, its public line is the private key's public half, and a signature made with the private
// key verifies against the public line through node's own crypto. A generator that hands out a malformed key (ssh2
// did, about once in 256: the recorded one is in fixtures/) is stood in for, so the retry is tested on purpose.
import t from 'tap';
import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { generateClientKey, publicKeyBlob } from './ssh.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
/** The 32-byte ed25519 key at the end of an OpenSSH public key blob, as node's crypto takes it (SPKI DER). */
const spkiOf = (blob: Buffer) => createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), blob.subarray(-32)]), format: 'der', type: 'spki' });

t.test('a generated key: parsed by ssh2, its public line matches the private key, its signatures verify elsewhere', async (t) => {
  const k = generateClientKey('sea-harness test');
  const parsed = ssh2.utils.parseKey(k.privateKey);
  if (parsed instanceof Error || Array.isArray(parsed)) throw t.fail(`ssh2 cannot parse the private key: ${String(parsed)}`);
  t.equal(parsed.type, 'ssh-ed25519');
  t.match(k.publicKey, /^ssh-ed25519 AAAA[A-Za-z0-9+/]+=* sea-harness test$/);
  const blob = publicKeyBlob(k.publicKey);
  t.equal(blob.length, 51, 'string "ssh-ed25519" and a 32-byte key');
  t.same(parsed.getPublicSSH(), blob, 'the public line is the public half of the private key');
  const data = Buffer.from('sea-harness: a challenge the L1 would send');
  const sig = parsed.sign(data);
  if (sig instanceof Error) throw t.fail(`ssh2 cannot sign with the key: ${sig.message}`);
  t.ok(verify(null, data, spkiOf(blob), sig), "node's crypto verifies the signature with the public line's key");
  t.notOk(verify(null, Buffer.from('something else'), spkiOf(blob), sig), 'and not for other data');
});

t.test('2000 keys in a row: every one parses, with a 51-byte public blob matching its private half', async (t) => {
  // Far more than the ~1 in 256 rate at which ssh2 made a bad key, so a lost retry would show up here.
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const k = generateClientKey();
    const parsed = ssh2.utils.parseKey(k.privateKey);
    const blob = publicKeyBlob(k.publicKey);
    if (parsed instanceof Error || Array.isArray(parsed) || blob.length !== 51 || !parsed.getPublicSSH().equals(blob)) {
      t.fail(`key ${i} is malformed: ${k.publicKey}`);
      return;
    }
    seen.add(k.publicKey);
  }
  t.equal(seen.size, 2000, '2000 different keys');
});

t.test('the recorded malformed key (a 31-byte public key) is what the check rejects', async (t) => {
  t.equal(publicKeyBlob(fixture('ssh2-malformed-ed25519.key.pub')).length, 50, 'one byte short of 51');
  t.not(publicKeyBlob(fixture('ssh2-malformed-ed25519.key.pub')).length, 51);
});

/** ssh2 with a generator that returns `bad` the first `badCount` times, then real keys. */
function ssh2Handing(badCount: number) {
  const bad = { private: fixture('ssh2-malformed-ed25519.key'), public: fixture('ssh2-malformed-ed25519.key.pub') };
  let calls = 0;
  const utils = {
    ...ssh2.utils,
    generateKeyPairSync: (...args: Parameters<typeof ssh2.utils.generateKeyPairSync>) => (++calls <= badCount ? bad : ssh2.utils.generateKeyPairSync(...args)),
  };
  return { mock: { ...ssh2, utils }, calls: () => calls };
}

t.test('a malformed key from the generator is thrown away and another made', async (t) => {
  const gen = ssh2Handing(3);
  const { generateClientKey: generate } = await t.mockImport<typeof import('./ssh.js')>('./ssh.js', { ssh2: gen.mock });
  const k = generate();
  t.equal(gen.calls(), 4, 'three malformed keys refused, the fourth taken');
  t.not(k.publicKey.trim(), fixture('ssh2-malformed-ed25519.key.pub').trim());
  t.equal(publicKeyBlob(k.publicKey).length, 51);
  t.notOk(ssh2.utils.parseKey(k.privateKey) instanceof Error);
});

t.test('a generator that only makes malformed keys: a HarnessError after 32 tries, naming the fix', async (t) => {
  const gen = ssh2Handing(Infinity);
  const { generateClientKey: generate } = await t.mockImport<typeof import('./ssh.js')>('./ssh.js', { ssh2: gen.mock });
  t.throws(() => generate(), { stage: 'ssh', message: /could not make a well-formed ed25519 client key in 32 tries/, hint: /npm ci/ });
  t.equal(gen.calls(), 32);
});
