// ESR_ELx decoding as the reports print it, on the values the recorded cases printed and the Arm ARM's encodings.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { decodeEsr, describeEsr, findEsrValues } from './esr.js';

const out = (name: string) => readFileSync(new URL(`./fixtures/${name}.stdout`, import.meta.url), 'utf8');
const describe = (v: bigint) => describeEsr(decodeEsr(v));

t.test('the ESRs the recorded cases printed', async (t) => {
  t.same(findEsrValues(out('sea-to-user-einj-pass')).map((e) => [e.text, describeEsr(e.decoded)]), [
    ['esr=0x92000210', 'EC=0x24 DABT_LOW (data abort from a lower EL), IL=1, FnV=0, FSC=0x10 synchronous external abort, not on a table walk'],
    ['ESR_EL1=0x96000010', 'EC=0x25 DABT_CUR (data abort, same EL), IL=1, FnV=0, FSC=0x10 synchronous external abort, not on a table walk'],
  ]);
  t.same(findEsrValues(out('sea-to-user-exit-fsc-dropped')).map((e) => [e.text, e.decoded.fsc, e.decoded.fscName]), [['esr=0x92000200', 0, 'other']], 'the FSC the broken kernel dropped');
  t.same(findEsrValues(out('inject-iabt-pass')).map((e) => describeEsr(e.decoded)), ['EC=0x21 IABT_CUR (instruction abort, same EL), IL=1, FnV=0, FSC=0x10 synchronous external abort, not on a table walk']);
  t.same(findEsrValues(out('sea-to-user-qemu-no-einj')), [], 'no ESR printed');
});

t.test('decoded fields', async (t) => {
  t.same(decodeEsr(0x86000410n), { value: 0x86000410n, ec: 0x21, ecName: 'IABT_CUR (instruction abort, same EL)', il: true, fnv: true, fsc: 0x10, fscName: 'synchronous external abort, not on a table walk' });
  t.equal(describe(0x86000410n), 'EC=0x21 IABT_CUR (instruction abort, same EL), IL=1, FnV=1 (FAR not valid), FSC=0x10 synchronous external abort, not on a table walk');
  t.same(decodeEsr(0x5a000000n), { value: 0x5a000000n, ec: 0x16, ecName: 'HVC64', il: true, fnv: null, fsc: null, fscName: null }, 'not an abort: no FnV, no FSC');
  t.equal(describe(0x5a000000n), 'EC=0x16 HVC64, IL=1');
  t.equal(describe(0x58000000n), 'EC=0x16 HVC64, IL=0');
  t.equal(describe(0x80000010n), 'EC=0x20 IABT_LOW (instruction abort from a lower EL), IL=0, FnV=0, FSC=0x10 synchronous external abort, not on a table walk');
  t.equal(decodeEsr(0xf4000000n).ecName, 'EC 3d', 'an EC the table does not name');
  t.equal(decodeEsr(0x1_96000010n).ec, 0x25, 'bits above 31 (ISS2) do not change the EC');
});

t.test('every EC the table names', async (t) => {
  const names = [0x00, 0x01, 0x15, 0x16, 0x17, 0x18, 0x20, 0x21, 0x22, 0x24, 0x25, 0x26, 0x2f, 0x30, 0x31, 0x3c].map((ec) => decodeEsr(BigInt(ec) << 26n).ecName);
  t.same(names, [
    'UNKNOWN',
    'WFx',
    'SVC64',
    'HVC64',
    'SMC64',
    'SYS64',
    'IABT_LOW (instruction abort from a lower EL)',
    'IABT_CUR (instruction abort, same EL)',
    'PC_ALIGN',
    'DABT_LOW (data abort from a lower EL)',
    'DABT_CUR (data abort, same EL)',
    'SP_ALIGN',
    'SERROR',
    'BREAKPT_LOW',
    'BREAKPT_CUR',
    'BRK64',
  ]);
  t.same([0x20, 0x21, 0x24, 0x25].map((ec) => decodeEsr((BigInt(ec) << 26n) | 0x10n).fsc), [0x10, 0x10, 0x10, 0x10], 'the four aborts');
  t.same([0x22, 0x26, 0x2f].map((ec) => decodeEsr((BigInt(ec) << 26n) | 0x10n).fsc), [null, null, null], 'their neighbours are not');
});

t.test('every FSC range, at both ends', async (t) => {
  const dabt = (fsc: number) => decodeEsr(0x92000000n | BigInt(fsc)).fscName;
  t.same(
    [0x03, 0x04, 0x07, 0x08, 0x0b, 0x0c, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x17, 0x18, 0x19, 0x1b, 0x1c, 0x1f, 0x20, 0x21, 0x22].map((f) => [f.toString(16), dabt(f)]),
    [
      ['3', 'other'],
      ['4', 'translation fault, level 0'],
      ['7', 'translation fault, level 3'],
      ['8', 'access flag fault, level 0'],
      ['b', 'access flag fault, level 3'],
      ['c', 'permission fault, level 0'],
      ['f', 'permission fault, level 3'],
      ['10', 'synchronous external abort, not on a table walk'],
      ['11', 'other'],
      ['12', 'other'],
      ['13', 'synchronous external abort on a table walk, level -1'],
      ['14', 'synchronous external abort on a table walk, level 0'],
      ['17', 'synchronous external abort on a table walk, level 3'],
      ['18', 'synchronous parity/ECC error on memory access'],
      ['19', 'other'],
      ['1b', 'other'],
      ['1c', 'synchronous parity/ECC error on a table walk, level 0'],
      ['1f', 'synchronous parity/ECC error on a table walk, level 3'],
      ['20', 'other'],
      ['21', 'alignment fault'],
      ['22', 'other'],
    ],
  );
});

t.test('finding ESR values in text', async (t) => {
  const found = findEsrValues('kvm_run.arm_sea: esr=0x92000210, flags=0x1\nESR_EL2 : 0X96000010\nesr_el3=0x1\nbesr=0x2\nesr_el1:0x86000010 esr = 0x5a000000\nesr=0xzz\n');
  t.same(found.map((e) => [e.text, e.decoded.value]), [
    ['esr=0x92000210', 0x92000210n],
    ['ESR_EL2 : 0X96000010', 0x96000010n],
    ['esr_el1:0x86000010', 0x86000010n],
    ['esr = 0x5a000000', 0x5a000000n],
  ], 'esr, esr_el1/2, = or :, any case; not esr_el3, not inside a word, not without hex digits');
});
