// Which revision a series fetched from a list is applied to: the `base-commit:` its author recorded (git
// format-patch --base, b4) when the kernel tree has that commit, else the configured branch; and the sentence
// saying which and why, for the report. Pure.

/** `base-commit: <40 hex>` on a line of its own, as git format-patch --base writes it (cover letter or patch). */
const BASE_COMMIT = /^base-commit:\s*([0-9a-f]{40})\s*$/m;

/** The first base-commit: of the texts (cover letter first), or null. */
export function baseCommitOf(texts: readonly string[]): string | null {
  for (const t of texts) {
    const m = BASE_COMMIT.exec(t);
    if (m) return m[1]!;
  }
  return null;
}

export interface BaseChoice {
  /** The revision to check out: the series' base-commit, else the configured one (null: Debian's source). */
  readonly ref: string | null;
  readonly from: 'base-commit' | 'configured' | 'debian-source';
  readonly why: string;
}

export interface BaseInputs {
  /** The series' base-commit:, if it names one. */
  readonly baseCommit: string | null;
  /** --kernel DIR, or null for Debian's source. */
  readonly tree: string | null;
  /** Whether the tree has the base-commit (asked only when both exist). */
  readonly treeHasBase: boolean;
  /** --base / --ref as given (null: none). */
  readonly configured: string | null;
}

export function chooseBase(i: BaseInputs): BaseChoice {
  if (!i.tree) {
    return {
      ref: null,
      from: 'debian-source',
      why: i.baseCommit
        ? `the base is Debian's kernel source; the series' base-commit ${short(i.baseCommit)} is not used (give --kernel DIR --base REV to test on a git tree that has it)`
        : "the base is Debian's kernel source (the series names no base-commit)",
    };
  }
  if (i.baseCommit && i.treeHasBase) return { ref: i.baseCommit, from: 'base-commit', why: `base-commit ${short(i.baseCommit)} named by the series (found in ${i.tree})` };
  const configured = i.configured ?? 'HEAD';
  return {
    ref: i.configured,
    from: 'configured',
    why: i.baseCommit
      ? `the series' base-commit ${short(i.baseCommit)} is not in ${i.tree}: the configured base ${configured} instead (the series may not apply)`
      : `the series names no base-commit: the configured base ${configured}`,
  };
}

const short = (sha: string) => sha.slice(0, 12);
