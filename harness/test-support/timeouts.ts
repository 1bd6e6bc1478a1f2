// tap's timeout for each e2e file, which sets it first thing with t.setTimeout(E2E_TIMEOUT_MS[...]) (tap passes a
// root-level t.setTimeout on to the runner as that file's timeout). Unit files keep the short default of
// package.json's "tap".timeout (60 s): none needs more than a few seconds.
//
// Rule: the file's time in the last clean `make test` (2026-12-04, README "Where the cold make test time goes": the
// shared kernels and the project's QEMU already built by `make test-kernels`; 07 and 08 measured alone on
// 2026-12-04) x2, rounded up, with room for what a cold cache adds to that file alone.
//
// | file              | measured | timeout | room beyond x2 for                                          |
// |-------------------|----------|---------|-------------------------------------------------------------|
// | 00-qemu-baremetal |     1 s  |   120 s | node start, gcc, QEMU's tarball unpacked for checkpatch     |
// | 01-kernel         |   141 s  |   360 s | the workspace left on another kernel (93 more objects)      |
// | 02-boot           |   124 s  |   360 s | a cold image cache: the base image built once               |
// | 03-run            |   126 s  |   300 s | the same image build when 03 runs alone                     |
// | 04-bisect         |   160 s  |   360 s | four incremental step builds on a busy machine              |
// | 05-ci             |   139 s  |   300 s | W=1 objects rebuilt on both sides                           |
// | 06-sea            |   110 s  |   240 s | the same image build when 06 runs alone                     |
// | 07-cli-cheap      |    30 s  |   120 s | ~35 CLI starts (node + dist/) on a loaded machine           |
// | 08-image          |    15 s  |   180 s | apt lists and .debs fetched once in a cold cache            |
// | 09-kunit-fixtures |    17 s  |    60 s | ~25 CLI starts (node + dist/) on a loaded machine           |
// | 10-sandbox        |   ~230 s |   600 s | three early-failing builds (~15 s) + one incremental build  |
// | 11-coverage       |    19 s  |   180 s | the coverage kernel's 5-object rebuild when 11 runs alone     |
// | 12-bot            |   149 s  |   600 s | v2's incremental build (127 s when 12 runs alone) and the base |
// | 13-gitlab-pipeline|   228 s  |   480 s | 4 jobs each compiling dist/ (npm setup) on a loaded machine   |
//
// A cold QEMU (~450 s) or kernel (~580 s) build is not in any file's budget: `make test` builds them first
// (make test-kernels); run that before a single e2e file on an empty cache.
export const E2E_TIMEOUT_MS = {
  '00-qemu-baremetal': 120_000,
  '01-kernel': 360_000,
  '02-boot': 360_000,
  '03-run': 300_000,
  '04-bisect': 360_000,
  '05-ci': 300_000,
  '06-sea': 240_000,
  '07-cli-cheap': 120_000,
  '08-image': 180_000,
  '09-kunit-fixtures': 60_000,
  '10-sandbox': 600_000,
  '11-coverage': 180_000,
  '12-bot': 600_000,
  '13-gitlab-pipeline': 480_000,
} as const;
