// A stage as a call that returns its outcome as data: done with its value, or the series did not apply, or
// the tree did not build, or an error (infrastructure, bad input, interrupt), each with its evidence. Each
// stage owns a cleanup scope, released when the stage ends (its teardowns run then, not at process exit).
import type { Context } from './context.js';
import { CleanupScope } from './cleanup.js';
import { BuildFailedError, HarnessError, SeriesApplyError, type Stage } from './errors.js';

export type StageOutcome<T> =
  | { readonly kind: 'done'; readonly value: T }
  | { readonly kind: 'did-not-apply'; readonly error: SeriesApplyError }
  | { readonly kind: 'did-not-build'; readonly error: BuildFailedError }
  | { readonly kind: 'error'; readonly error: HarnessError };

/** A failed outcome's error, or null when the stage is done. */
export function failureOf<T>(o: StageOutcome<T>): HarnessError | null {
  return o.kind === 'done' ? null : o.error;
}

/**
 * Run `fn` with a context whose cleanup scope is the stage's own (a child of the caller's: an interrupt still
 * reaches it). Harness errors become outcomes; anything else is a bug and propagates.
 */
export async function runStage<T>(ctx: Context, name: Stage, fn: (ctx: Context) => Promise<T>): Promise<StageOutcome<T>> {
  const scope = new CleanupScope();
  const release = ctx.cleanup.defer(`the ${name} stage`, async () => {
    for (const e of await scope.close()) ctx.log.warn(e.message);
  });
  try {
    return { kind: 'done', value: await fn({ ...ctx, cleanup: scope }) };
  } catch (err) {
    if (err instanceof SeriesApplyError) return { kind: 'did-not-apply', error: err };
    if (err instanceof BuildFailedError) return { kind: 'did-not-build', error: err };
    if (err instanceof HarnessError) return { kind: 'error', error: err };
    throw err;
  } finally {
    await release();
  }
}

/** The stage's value, or its error thrown: for callers whose only answer to a failed stage is to stop. */
export function valueOrThrow<T>(o: StageOutcome<T>): T {
  if (o.kind === 'done') return o.value;
  throw o.error;
}
