// A case run's identity: which case, which --repeat iteration, which attempt (a verdict re-checked alone is a
// second attempt). The loop, the runner, the artifacts and every reporter name a run the same way.

export interface CaseRunId {
  readonly case: string;
  /** 1-based --repeat iteration. */
  readonly iteration: number;
  /** 1-based: 2 when a verdict that was not clean beside other cases is re-checked alone. */
  readonly attempt: number;
}

/** `inject_iabt`, `inject_iabt#2` (second iteration), `inject_iabt#2.2` (its second attempt): stable map keys. */
export function caseRunKey(id: { readonly case: string; readonly iteration?: number; readonly attempt?: number }): string {
  const iteration = id.iteration ?? 1;
  const attempt = id.attempt ?? 1;
  if (attempt > 1) return `${id.case}#${iteration}.${attempt}`;
  return iteration > 1 ? `${id.case}#${iteration}` : id.case;
}

/** The artifact directory name of a case run under the run's cases/ directory (same shape as the key, file-safe). */
export function caseRunDir(id: CaseRunId): string {
  return caseRunKey(id).replace('#', '-');
}
