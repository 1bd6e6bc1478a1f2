// A cleanup scope: teardowns registered before a resource is waited on, run in reverse exactly once.

export type Teardown = () => void | Promise<void>;

export class CleanupScope {
  readonly #teardowns: Array<{ name: string; fn: Teardown }> = [];
  #closed = false;

  /** Register a teardown; returns a function that runs it early (and only once). */
  defer(name: string, fn: Teardown): () => Promise<void> {
    if (this.#closed) throw new Error(`cleanup scope already closed; cannot register ${name}`);
    const entry = { name, fn };
    this.#teardowns.push(entry);
    return async () => {
      const i = this.#teardowns.indexOf(entry);
      if (i < 0) return;
      this.#teardowns.splice(i, 1);
      await entry.fn();
    };
  }

  /** Run every teardown in reverse order; errors are collected, never stop the unwinding. */
  async close(): Promise<Error[]> {
    this.#closed = true;
    const errors: Error[] = [];
    while (this.#teardowns.length > 0) {
      const { name, fn } = this.#teardowns.pop()!;
      try {
        await fn();
      } catch (err) {
        errors.push(new Error(`cleanup "${name}" failed: ${(err as Error).message}`, { cause: err }));
      }
    }
    return errors;
  }
}
