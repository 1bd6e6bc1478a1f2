// StrykerJS over the pure core (`make mutation`): which modules are mutated, which unit tests judge them, how they run.

import { readFileSync } from 'node:fs';

// How the tests run. Stryker's tap runner does not go through `tap`: it runs each test file as
// `node <nodeArgs> <file>`. Run that way with the loader of tap's TypeScript plugin (`--import
// @tapjs/typescript/import`, ts-node, with TS_NODE_TRANSPILE_ONLY=1) the .ts tests work, but ts-node
// loading TypeScript costs 1.5-4 s per process on this 2-core machine, and Stryker starts one per covering
// test file per mutant. So the sandbox is compiled once instead (buildCommand: tsc over
// tsconfig.mutation-tests.json, each .js beside its .ts so that fixtures/ resolve as they do from the .ts) and
// plain node runs the compiled tests (~0.4 s per process). The runner is still given the .ts test files,
// which exist in the project (incremental mode keys its results by them); a resolve hook hands node the
// .test.js that tsc made beside each (all its imports are .js already).
const toCompiled = 'export function resolve(specifier, context, next) { return next(specifier.replace(/\\.test\\.ts$/, ".test.js"), context); }';
const registerHook = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(toCompiled)}`)});`;

/** Rules with no I/O, or (util/lock.ts) a little file I/O: what `make mutation` holds to >= 85 %. */
const mutate = [
  'harness/ktap/**/*.ts',
  '!harness/ktap/**/*.test.ts',
  'harness/cases/verdict.ts',
  'harness/cases/esr.ts',
  'harness/cases/requirements.ts',
  'harness/ci/compare.ts',
  'harness/bisect/policy.ts',
  'harness/run/schedule.ts',
  'harness/kernel/kconfig.ts',
  'harness/kernel/mbox.ts',
  'harness/guest/qemu-args.ts',
  'harness/guest/console.ts',
  'harness/run/exit-codes.ts',
  'harness/util/lock.ts',
  'harness/coverage/plan.ts',
  'harness/coverage/blame.ts',
  'harness/coverage/gcov-json.ts',
  'harness/coverage/attribute.ts',
  'harness/coverage/text.ts',
  'harness/coverage/lcov.ts',
  'harness/coverage/counter-dump.ts',
  'harness/ci/kcidb.ts',
  'harness/intake/series-ref.ts',
  'harness/intake/base-choice.ts',
  'harness/bot/threads.ts',
  'harness/bot/schedule.ts',
  'harness/bot/reply.ts',
  'harness/bot/patchwork.ts',
];

// The unit tests that judge the mutants: the test files listed in tsconfig.mutation-tests.json (every
// *.rules.test.ts plus the older unit tests that exercise these modules), which the build compiles. Not
// harness/e2e/ (boots QEMU), nor ktap/parse.test.ts: its 400,000-character lines (the parser must stay
// linear on them) take minutes under Stryker's instrumentation, where every expression is a mutant switch;
// ktap/parse.rules.test.ts runs the same fixtures and rules without them. Nor unit tests of other modules
// that merely call these (report/report.test.ts): they would only add runs per mutant.
const tsconfig = JSON.parse(readFileSync(new URL('./tsconfig.mutation-tests.json', import.meta.url), 'utf8'));
const testFiles = tsconfig.include.filter((f) => f.endsWith('.test.ts'));

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  mutate,
  testRunner: 'tap',
  buildCommand: 'tsc -p tsconfig.mutation-tests.json --noEmit false --outDir . --sourceMap false',
  tap: {
    testFiles,
    nodeArgs: ['--import', `data:text/javascript,${encodeURIComponent(registerHook)}`, '-r', '{{hookFile}}', '{{testFile}}'],
    forceBail: true,
  },
  coverageAnalysis: 'perTest',
  checkers: ['typescript'],
  // The mutated modules and what they import, without the tests (each check re-checks the files that import
  // the mutated one: with the tests in, the checker was the bottleneck), and a half-finished edit elsewhere
  // in the tree does not stop the run.
  tsconfigFile: 'tsconfig.mutation.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  concurrency: 2,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'html', 'json', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false, reportTests: false },
  // Build output, caches and captured runs are not needed in the sandbox (out/ alone is >100 MB).
  ignorePatterns: ['dist', 'out', 'sea-out', 'reports', '.tap', 'qemu/baremetal/*.elf', 'qemu/baremetal/*.bin'],
  thresholds: { high: 90, low: 85, break: null },
  timeoutMS: 5000,
  tempDirName: '.stryker-tmp',
};
