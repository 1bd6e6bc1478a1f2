// The newc writer's sample entries, shared by the unit test (read back by test-support/newc-reader.ts and compared
// with GNU cpio's recorded listing, harness/guest/fixtures/gnu-cpio-sample.listing.txt) and the e2e test that runs
// GNU cpio itself on them.
import type { CpioEntry } from '../guest/cpio.js';

export const CPIO_SAMPLE: readonly CpioEntry[] = [
  { type: 'dir', path: 'bin', mode: 0o755 },
  { type: 'file', path: 'bin/tool', mode: 0o755, data: Buffer.from('#!/bin/sh\necho tool\n') },
  { type: 'symlink', path: 'bin/sh', target: 'tool' },
  { type: 'dir', path: 'root', mode: 0o700 },
  { type: 'dir', path: 'tmp', mode: 0o1777 },
  // Lengths 1, 2, 3 and 5 exercise every padding remainder for both names and data.
  { type: 'file', path: 'root/a', mode: 0o600, data: Buffer.from('x') },
  { type: 'file', path: 'root/bb', mode: 0o640, data: Buffer.from('xy') },
  { type: 'file', path: 'root/ccc', mode: 0o644, data: Buffer.from('xyz') },
  { type: 'file', path: 'root/empty', mode: 0o644, data: Buffer.alloc(0) },
  { type: 'file', path: '/etc/motd', mode: 0o644, data: Buffer.from('hello') },
  { type: 'char', path: 'dev/console', mode: 0o600, major: 5, minor: 1 },
  { type: 'char', path: 'dev/null', mode: 0o666, major: 1, minor: 3 },
];

/** Where the recorded `cpio -t -v -n -H newc` listing of newcArchive(withParentDirs(CPIO_SAMPLE)) is kept. */
export const CPIO_SAMPLE_LISTING = new URL('../guest/fixtures/gnu-cpio-sample.listing.txt', import.meta.url);
