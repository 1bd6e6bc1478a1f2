// What patch coverage carries from the kernel stage to the analysis after the run: the series' files and how each
// is measured, who owns each line, and where the coverage build's gcov notes are. Types only.
import type { BlamedLine } from './blame.js';
import type { SeriesPatchRef } from './attribute.js';
import type { FilePlan } from './plan.js';

export interface CoverageBuildPlan {
  readonly files: readonly FilePlan[];
  /** `GCOV_PROFILE_guest.o=y`, ...: on the make command line of the coverage build. */
  readonly makeVariables: readonly string[];
  /** The store variant (null: nothing to instrument, the plain kernel serves). */
  readonly variant: string | null;
}

/** Everything the host needs after the run to turn the L1's counters into patch coverage. */
export interface CoverageInputs extends CoverageBuildPlan {
  readonly patches: readonly SeriesPatchRef[];
  readonly blame: ReadonlyMap<string, readonly BlamedLine[]>;
  /** The kernel tree and build directory as the compiler saw them (gcov's source names are relative to the build). */
  readonly srcRoot: string;
  readonly buildDir: string;
  /** Tree-relative `.gcno` files of the instrumented objects, kept in the kernel's store entry under `gcov/`. */
  readonly notesDir: string;
  /** Instrumented files whose object was compiled (a .gcno exists). */
  readonly built: readonly string[];
  readonly el2Objects: readonly string[];
  /** The cross gcov matching the compiler (`aarch64-linux-gnu-gcov`). */
  readonly gcov: string;
}

/** The store entry's subdirectory holding the coverage build's .gcno notes, at their build-directory paths. */
export const GCOV_NOTES = 'gcov';
