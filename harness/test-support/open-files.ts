// Which processes have a file open, from /proc: tests of locks and helpers check that nothing is left holding one.
import { readdirSync, readlinkSync } from 'node:fs';

/** PIDs of the processes (the caller included) with a descriptor on `path`. */
export function openers(path: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p) && fdTargets(p).includes(path))
    .map(Number);
}

/** What a process's descriptors point at; nothing for a process that has just exited. */
function fdTargets(pid: string): string[] {
  try {
    return readdirSync(`/proc/${pid}/fd`).map((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return '';
      }
    });
  } catch {
    return [];
  }
}
