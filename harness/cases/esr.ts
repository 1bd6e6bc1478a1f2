// Decoding arm64 ESR_ELx values the tests print (EC, IL, FnV, FSC), per the Arm ARM's ESR_ELx description.

const EC_NAMES: Record<number, string> = {
  0x00: 'UNKNOWN',
  0x01: 'WFx',
  0x15: 'SVC64',
  0x16: 'HVC64',
  0x17: 'SMC64',
  0x18: 'SYS64',
  0x20: 'IABT_LOW (instruction abort from a lower EL)',
  0x21: 'IABT_CUR (instruction abort, same EL)',
  0x22: 'PC_ALIGN',
  0x24: 'DABT_LOW (data abort from a lower EL)',
  0x25: 'DABT_CUR (data abort, same EL)',
  0x26: 'SP_ALIGN',
  0x2f: 'SERROR',
  0x30: 'BREAKPT_LOW',
  0x31: 'BREAKPT_CUR',
  0x3c: 'BRK64',
};

function fscName(fsc: number): string {
  if (fsc === 0x10) return 'synchronous external abort, not on a table walk';
  if (fsc >= 0x13 && fsc <= 0x17) return `synchronous external abort on a table walk, level ${fsc - 0x14}`;
  if (fsc === 0x18) return 'synchronous parity/ECC error on memory access';
  if (fsc >= 0x1c && fsc <= 0x1f) return `synchronous parity/ECC error on a table walk, level ${fsc - 0x1c}`;
  if (fsc >= 0x04 && fsc <= 0x07) return `translation fault, level ${fsc - 0x04}`;
  if (fsc >= 0x08 && fsc <= 0x0b) return `access flag fault, level ${fsc - 0x08}`;
  if (fsc >= 0x0c && fsc <= 0x0f) return `permission fault, level ${fsc - 0x0c}`;
  if (fsc === 0x21) return 'alignment fault';
  return 'other';
}

export interface DecodedEsr {
  readonly value: bigint;
  readonly ec: number;
  readonly ecName: string;
  readonly il: boolean;
  /** FAR not valid (bit 10), meaningful for aborts. */
  readonly fnv: boolean | null;
  readonly fsc: number | null;
  readonly fscName: string | null;
}

export function decodeEsr(value: bigint): DecodedEsr {
  const ec = Number((value >> 26n) & 0x3fn);
  const isAbort = ec === 0x20 || ec === 0x21 || ec === 0x24 || ec === 0x25;
  const fsc = isAbort ? Number(value & 0x3fn) : null;
  return {
    value,
    ec,
    ecName: EC_NAMES[ec] ?? `EC ${ec.toString(16)}`,
    il: ((value >> 25n) & 1n) === 1n,
    fnv: isAbort ? ((value >> 10n) & 1n) === 1n : null,
    fsc,
    fscName: fsc === null ? null : fscName(fsc),
  };
}

export function describeEsr(d: DecodedEsr): string {
  const parts = [`EC=0x${d.ec.toString(16)} ${d.ecName}`, `IL=${d.il ? 1 : 0}`];
  if (d.fnv !== null) parts.push(`FnV=${d.fnv ? 1 : 0}${d.fnv ? ' (FAR not valid)' : ''}`);
  if (d.fsc !== null) parts.push(`FSC=0x${d.fsc.toString(16)} ${d.fscName}`);
  return parts.join(', ');
}

/** Every `esr...=0x...` value in a text, decoded. */
export function findEsrValues(text: string): Array<{ text: string; decoded: DecodedEsr }> {
  const out: Array<{ text: string; decoded: DecodedEsr }> = [];
  for (const m of text.matchAll(/\besr(?:_el[12])?\s*[=:]\s*(0x[0-9a-f]+)/gi)) {
    out.push({ text: m[0], decoded: decodeEsr(BigInt(m[1]!)) });
  }
  return out;
}
