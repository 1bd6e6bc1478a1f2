# sea-harness: `make run` and `make test` set up everything they need (Debian packages through apt,
# npm ci, the default kernel source) and then do their job. See README.md.
SHELL := /bin/bash
NODE_STAMP := node_modules/.sea-stamp
CLI := node bin/sea-harness.js

.PHONY: all setup host npm run test test-unit test-kernels bench typecheck clean mutation

all: setup

# npm ci only when package-lock.json changed; `prepare` compiles TypeScript into dist/.
$(NODE_STAMP): package-lock.json package.json
	npm ci --no-audit --no-fund
	touch $@

npm: $(NODE_STAMP)
	npm run --silent build

# Host packages (cross toolchain, QEMU 10.x from bookworm-backports, UEFI firmware, ...) through a private
# apt configuration; idempotent: installs only what `doctor` finds missing.
host: npm
	$(CLI) doctor --install

setup: host

# The main job: Debian's linux-source-7.3, the default cases, artifacts under sea-out/.
run: setup
	$(CLI) run $(RUN_ARGS)

# The whole suite, end-to-end boots included. The kernels every test file reuses are built first, once
# (cold base, then the series and the test patches as incremental rebuilds in the one workspace).
test: setup test-kernels
	$(CLI) doctor --install --tests > /dev/null
	npx tap $(TAP_ARGS)

test-kernels: setup
	node dist/harness/test-support/prepare-kernels.js

# Every test file outside harness/e2e/, at any depth: TypeScript run from source (no dist/ build), no network, no
# ../shared. The first --exclude is tap's default, restated because giving --exclude replaces it. Two files at a
# time: most of a unit file's time is node and the TypeScript loader starting (package.json's jobs: 1 is for e2e).
test-unit: $(NODE_STAMP)
	npx tap --jobs=2 --exclude='**/@(fixture*(s)|dist)/**' --exclude='harness/e2e/**' $(TAP_ARGS)

bench: setup test-kernels
	node dist/bench/run.js

# Mutation testing of the pure core with StrykerJS (stryker.config.mjs); not part of `make test`. Ends with the
# score of each module; the report is reports/mutation/mutation.html. Incremental: results of mutants whose
# code and tests did not change are reused (reports/mutation/stryker-incremental.json).
mutation: $(NODE_STAMP)
	npx stryker run

typecheck: $(NODE_STAMP)
	npx tsc -p tsconfig.json --noEmit && npx tsc -p tsconfig.test.json

clean:
	rm -rf dist .tap sea-out
