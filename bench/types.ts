// The shape of one benchmark measurement, shared by every bench/*.ts entry and the `make bench` printer.

export interface BenchEntry {
  /** What was measured, e.g. "ktap parse 50 MB (median of 3)". */
  readonly name: string;
  readonly value: number;
  /** Unit of `value`: "s", "MB/s", "MB", ... */
  readonly unit: string;
  /** The requirement it is held to, for people: "< 1 s". */
  readonly target?: string;
  /** Whether `value` meets `target` (absent when there is no target). */
  readonly ok?: boolean;
  readonly note?: string;
}
