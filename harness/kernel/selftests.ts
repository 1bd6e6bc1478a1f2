// The cases' selftests, cross-built statically from the same tree and headers as the kernel, stored with it.
import { access, copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from '../util/context.js';
import { run } from '../util/exec.js';
import { BuildFailedError, tailLines } from '../util/errors.js';
import { formatElapsed, startHeartbeat } from '../util/progress.js';
import type { CaseDefinition } from '../catalog/cases.js';
import { jobs, makeArgs, workspaceSandbox } from './make.js';
import type { KernelArtifact } from './store.js';
import type { Workspace } from './workspace.js';

export interface SelftestBinary {
  readonly case: string;
  readonly suite: string;
  readonly target: string;
  /** The static arm64 binary in the store, or null when the test is not in this tree. */
  readonly path: string | null;
  /** Compiler warnings for the test's own source file. */
  readonly warnings: readonly string[];
}

interface SelftestManifest {
  [target: string]: { present: boolean; warnings: string[] };
}

/** Added to the selftests' flags: it flags a missing break such as inject_iabt's UCALL_PRINTF fall-through. */
export const SELFTEST_EXTRA_CFLAGS = '-static -Wimplicit-fallthrough';

function storeName(suite: string, target: string): string {
  return `${suite}__${target.replaceAll('/', '__')}`;
}

/** Warnings about `<target>.c` itself, with their note/context lines. */
export function warningsFor(output: string, target: string): string[] {
  const file = `${target}.c:`;
  const out: string[] = [];
  for (const line of output.split('\n')) {
    if (line.includes(file) && /: warning: /.test(line)) out.push(line.replace(/^.*?(?=[^/\s]*\/?[^/\s]*\.c:)/, '').trim());
  }
  return [...new Set(out)];
}

/** Whether the store entry already has every case's selftest (built, or known absent): then no checkout is needed. */
export async function selftestsStored(kernel: KernelArtifact, cases: readonly CaseDefinition[]): Promise<boolean> {
  const manifest = JSON.parse(await readFile(join(kernel.dir, 'selftests', 'manifest.json'), 'utf8').catch(() => '{}')) as SelftestManifest;
  return cases.every((c) => manifest[storeName(c.selftest.suite, c.selftest.target)]);
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(() => true, () => false);
}

export async function buildSelftests(ctx: Context, ws: Workspace, kernel: KernelArtifact, cases: readonly CaseDefinition[], logPath: string): Promise<{ binaries: SelftestBinary[]; buildMs: number }> {
  const started = Date.now();
  const storeDir = join(kernel.dir, 'selftests');
  await mkdir(storeDir, { recursive: true });
  const manifestPath = join(storeDir, 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8').catch(() => '{}')) as SelftestManifest;
  const todo = cases.filter((c) => !manifest[storeName(c.selftest.suite, c.selftest.target)]);
  if (todo.length > 0) {
    // The store entry is keyed by the tree: the work tree must hold that tree now (it does: the caller just built or checked it).
    const bySuite = new Map<string, CaseDefinition[]>();
    for (const c of todo) {
      const present = await exists(join(ws.src, 'tools', 'testing', 'selftests', c.selftest.suite, `${c.selftest.target}.c`));
      if (!present) {
        manifest[storeName(c.selftest.suite, c.selftest.target)] = { present: false, warnings: [] };
        continue;
      }
      bySuite.set(c.selftest.suite, [...(bySuite.get(c.selftest.suite) ?? []), c]);
    }
    const names = [...bySuite.values()].flat().map((c) => c.selftest.target).join(' ');
    const stopBeat = bySuite.size > 0 ? startHeartbeat(ctx.log, (ms) => `selftests: building ${names}, ${formatElapsed(ms)}`) : () => undefined;
    try {
      if (bySuite.size > 0) {
        ctx.log.info(`selftests: building ${names}`);
        // `make headers` (not headers_install, which needs rsync) is enough for KHDR_INCLUDES.
        await run(ctx, 'make', makeArgs(ws, [`-j${jobs()}`, 'headers']), { stage: 'selftests', cwd: ws.src, logPath, timeoutMs: 20 * 60_000, sandbox: workspaceSandbox(ws, 'kernel headers') });
      }
      for (const [suite, list] of bySuite) {
        const output = join(ws.build, 'kselftest', suite);
        for (const c of list) {
          // Force the test's own source to recompile so its warnings are seen on every store miss.
          await rm(join(output, `${c.selftest.target}.o`), { force: true });
          await rm(join(output, c.selftest.target), { force: true });
        }
        const targets = list.map((c) => join(output, c.selftest.target));
        const r = await run(
          ctx,
          'make',
          [
            '-C', join(ws.src, 'tools', 'testing', 'selftests', suite),
            `-j${jobs()}`,
            'ARCH=arm64',
            `CROSS_COMPILE=${ws.toolchain.crossCompile}`,
            `OUTPUT=${output}`,
            `KHDR_INCLUDES=-isystem ${join(ws.build, 'usr', 'include')}`,
            // Not LDFLAGS: on the command line it would replace the Makefile's -pthread -no-pie.
            `EXTRA_CFLAGS=${SELFTEST_EXTRA_CFLAGS}`,
            ...targets,
          ],
          { stage: 'selftests', cwd: ws.src, logPath, reject: false, timeoutMs: 30 * 60_000, sandbox: workspaceSandbox(ws, 'selftests build') },
        );
        const text = `${r.stdout}\n${r.stderr}`;
        if (r.exitCode !== 0) {
          throw new BuildFailedError(`the ${suite} selftests failed to build`, {
            stage: 'selftests',
            outputTail: tailLines(text.split('\n').filter((l) => /error|Error/.test(l)).join('\n') || text, 15),
            logPath,
            hint: 'the tree\'s selftests do not build with its own headers; see the log',
          });
        }
        for (const c of list) {
          const name = storeName(suite, c.selftest.target);
          await copyFile(join(output, c.selftest.target), join(storeDir, name));
          manifest[name] = { present: true, warnings: warningsFor(text, c.selftest.target) };
        }
      }
    } finally {
      stopBeat();
    }
    await writeFile(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  }
  const binaries = cases.map((c): SelftestBinary => {
    const name = storeName(c.selftest.suite, c.selftest.target);
    const m = manifest[name]!;
    return { case: c.name, suite: c.selftest.suite, target: c.selftest.target, path: m.present ? join(storeDir, name) : null, warnings: m.warnings };
  });
  return { binaries, buildMs: todo.length > 0 ? Date.now() - started : 0 };
}
