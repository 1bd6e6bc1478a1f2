// A case run's identity: which case, which --repeat iteration, which attempt (a verdict re-checked alone is a
// second attempt). The loop, the runner, the artifacts and every reporter name a run through these functions.

export interface CaseRunId {
  readonly case: string;
  /** 1-based --repeat iteration. */
  readonly iteration: number;
  /** 1-based: 2 when a verdict that was not clean beside other cases is re-checked alone. */
  readonly attempt: number;
}

/** The identity of a case's result (a result carries its iteration only when it is not the first). */
export function caseRunOf(c: { readonly name: string; readonly iteration?: number; readonly besideAttempt?: unknown }): CaseRunId {
  return { case: c.name, iteration: c.iteration ?? 1, attempt: c.besideAttempt ? 2 : 1 };
}

/** A stable map key: `inject_iabt`, `inject_iabt#2` (second iteration); attempts of one run share it. */
export function caseRunKey(id: Pick<CaseRunId, 'case' | 'iteration'>): string {
  return id.iteration > 1 ? `${id.case}#${id.iteration}` : id.case;
}

/** For people (logs and reports): `inject_iabt`, `inject_iabt #2`. */
export function caseRunLabel(id: Pick<CaseRunId, 'case' | 'iteration'>): string {
  return id.iteration > 1 ? `${id.case} #${id.iteration}` : id.case;
}

/** The base name of a run's files in --out (`inject_iabt.2.ktap`); the attempt beside others adds `.beside`. */
export function caseRunFileBase(id: CaseRunId, superseded = false): string {
  const base = id.iteration > 1 ? `${id.case}.${id.iteration}` : id.case;
  return superseded ? `${base}.beside` : base;
}
