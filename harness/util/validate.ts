// Small validators for the data files in guests/ and cases/: a bad key or value names the file, the key and what is allowed.
import { UsageError } from './errors.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export class DataReader {
  constructor(
    readonly file: string,
    readonly obj: Record<string, Json>,
    readonly path = '',
  ) {}

  static root(file: string, value: unknown): DataReader {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`${file}: expected a JSON object`);
    return new DataReader(file, value as Record<string, Json>);
  }

  fail(key: string, why: string): never {
    throw new UsageError(`${this.file}: ${this.path}${key}: ${why}`, `fix the data file ${this.file}`);
  }

  /** Reject keys that are not in `allowed`, listing the valid ones. */
  only(allowed: readonly string[]): this {
    for (const k of Object.keys(this.obj)) {
      if (!allowed.includes(k)) this.fail(k, `unknown key; valid keys: ${allowed.join(', ')}`);
    }
    return this;
  }

  string(key: string): string {
    const v = this.obj[key];
    if (typeof v !== 'string' || v === '') this.fail(key, 'expected a non-empty string');
    return v;
  }
  optString(key: string): string | null {
    return this.obj[key] === undefined || this.obj[key] === null ? null : this.string(key);
  }
  number(key: string, min = 0): number {
    const v = this.obj[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) this.fail(key, `expected a number >= ${min}`);
    return v;
  }
  optNumber(key: string, fallback: number, min = 0): number {
    return this.obj[key] === undefined ? fallback : this.number(key, min);
  }
  bool(key: string, fallback: boolean): boolean {
    const v = this.obj[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') this.fail(key, 'expected true or false');
    return v;
  }
  strings(key: string, fallback?: string[]): string[] {
    const v = this.obj[key];
    if (v === undefined && fallback) return fallback;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) this.fail(key, 'expected an array of strings');
    return v as string[];
  }
  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const v = this.string(key);
    if (!allowed.includes(v as T)) this.fail(key, `"${v}" is not one of ${allowed.join(', ')}`);
    return v as T;
  }
  child(key: string): DataReader {
    const v = this.obj[key];
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(key, 'expected an object');
    return new DataReader(this.file, v, `${this.path}${key}.`);
  }
  optChild(key: string): DataReader | null {
    return this.obj[key] === undefined ? null : this.child(key);
  }
  children(key: string): DataReader[] {
    const v = this.obj[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) this.fail(key, 'expected an array of objects');
    return v.map((item, i) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) this.fail(`${key}[${i}]`, 'expected an object');
      return new DataReader(this.file, item, `${this.path}${key}[${i}].`);
    });
  }
  keys(): string[] {
    return Object.keys(this.obj);
  }
}
