// Which of a series' files can be measured in the L1 and how: the kernel objects to build with gcov (one make
// variable per object, GCOV_PROFILE_<stem>.o=y, so the tree is not edited and the config is not changed) and the
// files that cannot be measured, with the reason.
import type { FileMeasure } from '../model/coverage.js';

export interface TouchedFile {
  readonly path: string;
  /** The file is gone from the final tree (deleted by the series): nothing of it can run. */
  readonly deleted: boolean;
}

export interface FilePlan {
  readonly path: string;
  readonly measure: FileMeasure;
  readonly why: string | null;
  /** The object to instrument (instrumented files only): `arch/arm64/kvm/guest.o`. */
  readonly object: string | null;
}

export const EL2_DIR = 'arch/arm64/kvm/hyp/';

export const WHY = {
  el2: 'EL2 code: the nVHE hypervisor objects are built without gcov and run in their own address space, where the gcov runtime cannot count; sea-harness instruments none of arch/arm64/kvm/hyp',
  assembly: 'assembly: gcov instruments C only',
  notKernel: 'not part of the kernel image',
} as const;

/** Directories whose C files are not kernel code the L1 runs (host tools, selftests, docs, samples). */
const NOT_KERNEL = /^(tools|scripts|Documentation|samples|usr)\//;

export function planFile(f: TouchedFile): FilePlan {
  const p = f.path;
  const file = (measure: FileMeasure, why: string | null, object: string | null = null): FilePlan => ({ path: p, measure, why, object });
  if (NOT_KERNEL.test(p)) return file('not-kernel', WHY.notKernel);
  if (p.startsWith(EL2_DIR)) return file('not-measurable', WHY.el2);
  if (f.deleted) return file('not-kernel', 'deleted by the series');
  if (/\.[sS]$/.test(p)) return file('not-measurable', WHY.assembly);
  if (p.endsWith('.h')) return file('header', null);
  if (p.endsWith('.c')) return file('instrumented', null, p.replace(/\.c$/, '.o'));
  return file('not-kernel', 'not C code (build file, Kconfig, data)');
}

/** Where the .gcno of an instrumented file lies in the build directory (`arch/arm64/kvm/guest.gcno`). */
export function notesPath(file: FilePlan): string | null {
  return file.object ? file.object.replace(/\.o$/, '.gcno') : null;
}

/** `GCOV_PROFILE_guest.o=y` for every instrumented object: kbuild matches the object's file name (its stem). */
export function gcovMakeVariables(plans: readonly FilePlan[]): string[] {
  const stems = new Set<string>();
  for (const p of plans) if (p.object) stems.add(p.object.slice(p.object.lastIndexOf('/') + 1));
  return [...stems].sort().map((s) => `GCOV_PROFILE_${s}=y`);
}

/**
 * The store variant of a coverage kernel: the same tree and config as the plain kernel, plus the objects built
 * with gcov. Null when nothing is instrumented (the plain kernel is the coverage kernel then).
 */
export function coverageVariant(plans: readonly FilePlan[]): string | null {
  const vars = gcovMakeVariables(plans);
  return vars.length ? `gcov:${vars.join(',')}` : null;
}

/** `path` as a whole word of a kbuild .cmd file (followed by a space, a continuation or the line's end). */
export function mentions(cmd: string, path: string): boolean {
  for (let at = cmd.indexOf(path); at >= 0; at = cmd.indexOf(path, at + 1)) {
    const next = cmd[at + path.length];
    if (next === undefined || next === ' ' || next === '\n' || next === '\\' || next === ')') return true;
  }
  return false;
}
