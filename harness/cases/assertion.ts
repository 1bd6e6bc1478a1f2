// Reading a KVM selftest's `==== Test Assertion Failure ====` report (exit 254): file:line, expression, backtrace.

export interface AssertionFailure {
  /** e.g. `arm64/inject_iabt.c:71` */
  readonly location: string;
  /** e.g. `r && errno == EINVAL` */
  readonly expression: string;
  /** Lines after the header that explain it (pid/errno line, message). */
  readonly details: readonly string[];
  /** Raw return addresses of the backtrace, in order. */
  readonly addresses: readonly string[];
}

export const ASSERTION_HEADER = '==== Test Assertion Failure ====';

export function parseAssertion(text: string): AssertionFailure | null {
  const start = text.indexOf(ASSERTION_HEADER);
  if (start < 0) return null;
  const lines = text.slice(start + ASSERTION_HEADER.length).split('\n').map((l) => l.replace(/\r$/, ''));
  let location = '';
  let expression = '';
  const details: string[] = [];
  const addresses: string[] = [];
  for (const line of lines) {
    const loc = /^\s+(\S+\.[ch]:\d+):\s*(.*)$/.exec(line);
    if (!location && loc) {
      location = loc[1]!;
      expression = loc[2]!.trim();
      continue;
    }
    const bt = /^\s+\d+\s+(0x[0-9a-f]+):/.exec(line);
    if (bt) {
      addresses.push(bt[1]!);
      continue;
    }
    if (location && line.trim() !== '' && !/^\s+\d+\s/.test(line)) details.push(line.trim());
  }
  if (!location) return null;
  return { location, expression, details, addresses };
}
