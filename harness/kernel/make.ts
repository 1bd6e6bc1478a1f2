// Kernel make invocations: always ARCH=arm64, the cross compiler, and the workspace's one O= directory.
// No ccache: with the build directory kept, ccache only adds ~35% CPU to a cold build here (README).
import { availableParallelism } from 'node:os';
import type { Workspace } from './workspace.js';

export function jobs(): number {
  return Math.max(1, availableParallelism());
}

export function makeArgs(ws: Workspace, extra: readonly string[]): string[] {
  return ['-C', ws.src, `O=${ws.build}`, 'ARCH=arm64', `CROSS_COMPILE=${ws.toolchain.crossCompile}`, ...extra];
}
