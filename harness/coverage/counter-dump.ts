// What the L1's counter read prints, back into files: a marker line with each .gcda's path under debugfs gcov/,
// then its bytes in base64 (the SSH channel is read as text). And where such a path lies in the build directory.

/** One reading of the counters: gcda path under the debugfs gcov directory -> its bytes. */
export type CounterFiles = Map<string, Buffer>;

/** The marker before each file of one read. */
export const COUNTER_MARK = '==sea-harness-gcda== ';

/** The read's output back into files; the path is relative to the gcov directory, without the leading `./`. */
export function parseCounterDump(text: string): CounterFiles {
  const out: CounterFiles = new Map();
  let path: string | null = null;
  let body: string[] = [];
  const flush = () => {
    if (path !== null) out.set(path, Buffer.from(body.join(''), 'base64'));
  };
  for (const line of text.split('\n')) {
    if (line.startsWith(COUNTER_MARK)) {
      flush();
      path = line.slice(COUNTER_MARK.length).replace(/^\.\//, '');
      body = [];
    } else if (path !== null) body.push(line.trim());
  }
  flush();
  return out;
}

/**
 * Where a gcda read from the L1 belongs among the build directory's objects: the kernel names it by the object's
 * absolute path in the build directory, so `root/.cache/.../build/arch/arm64/kvm/guest.gcda` -> `arch/arm64/kvm/guest.gcda`.
 */
export function buildRelativeGcda(debugfsPath: string, buildDir: string): string | null {
  const build = buildDir.replace(/^\/+|\/+$/g, '');
  const p = debugfsPath.replace(/^\/+/, '');
  return p.startsWith(`${build}/`) ? p.slice(build.length + 1) : null;
}
