// Patchwork checks on real ci results (bot/fixtures/ci-results.ts): the state of each patch per verdict, and every
// check valid against patchwork's own definition: the CheckCreate schema of its REST API 1.4 and the Check model
// (fixtures/patchwork-check.schema.json and patchwork-check-model.py, from getpatchwork/patchwork; README there).
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { CiResult } from '../model/ci.js';
import { UsageError } from '../util/errors.js';
import * as fx from './fixtures/ci-results.js';
import { CONTEXT_MAX, DEFAULT_CONTEXT, DESCRIPTION_MAX, PATCHWORK_CHECKS_SCHEMA, TARGET_URL_MAX, clip, patchworkChecks, type PatchworkChecks } from './patchwork.js';

const fixture = (f: string) => readFileSync(new URL(`./fixtures/${f}`, import.meta.url), 'utf8');
const URL_ = 'https://bot.example.org/jobs/20261126-0001/';
const schema = JSON.parse(fixture('patchwork-check.schema.json')) as Record<string, unknown>;
const model = fixture('patchwork-check-model.py');

// OpenAPI 3.1's schemas are JSON Schema 2020-12. CheckCreate itself allows other properties (the serializer drops
// them); the request body patchwork documents is these four, so nothing else may be sent.
// ajv-formats is CommonJS whose d.ts says `export default` (see test-support/kcidb-schema.ts).
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
const validate = ajv.compile({ type: 'object', allOf: [schema], properties: Object.fromEntries(Object.keys(schema.properties as object).map((k) => [k, true])), additionalProperties: false });

const checks = (r: CiResult, targetUrl: string | null = URL_) => patchworkChecks(r, { targetUrl });
const states = (d: PatchworkChecks) => d.checks.map((c) => [c.patch, c.check.state, c.check.description]);

/** Every check against patchwork's schema and model: states, the context slug, description and URL lengths. */
function valid(t: Test, d: PatchworkChecks): void {
  t.equal(d.schema, 'sea-harness/patchwork-checks@1');
  t.equal(PATCHWORK_CHECKS_SCHEMA, d.schema);
  for (const c of d.checks) {
    t.ok(validate(c.check), `patch ${c.patch}: a valid CheckCreate`, { errors: validate.errors });
    t.same(Object.keys(c.check).sort(), ['context', 'description', 'state', 'target_url']);
    t.ok(c.check.description.length <= DESCRIPTION_MAX, `patch ${c.patch}: description within ${DESCRIPTION_MAX}`);
    t.notMatch(c.message_id, /^<|>$/, "message_id as patchwork's msgid filter takes it: without brackets");
  }
}

t.test("the schema and the model are patchwork's: states, slug, lengths", async (t) => {
  const props = schema.properties as Record<string, Record<string, unknown>>;
  t.same(schema.required, ['state']);
  t.same(props.state!.enum, ['pending', 'success', 'warning', 'fail']);
  t.same(Object.keys(props).sort(), ['context', 'description', 'state', 'target_url']);
  t.equal(props.context!.pattern, '^[-a-zA-Z0-9_]+$');
  t.equal(props.context!.maxLength, CONTEXT_MAX);
  // models.py: the state choices, context a SlugField(max_length=255), target_url a URLField (Django's default
  // max_length, 200), description a TextField: no limit in patchwork; ours is DESCRIPTION_MAX.
  t.same([...model.matchAll(/\(STATE_\w+, '(\w+)'\)/g)].map((m) => m[1]), ['pending', 'success', 'warning', 'fail']);
  t.equal(Number(/context = models\.SlugField\(\s*max_length=(\d+)/.exec(model)?.[1]), CONTEXT_MAX);
  t.match(model, /target_url = models\.URLField\(\s*blank=True,\s*null=True,/);
  t.notMatch(/target_url = models\.URLField\([^)]*\)/.exec(model)?.[0] ?? '', /max_length/, 'URLField at its default length');
  t.equal(((props.target_url!.oneOf as Array<Record<string, unknown>>)[1]!).maxLength, TARGET_URL_MAX);
  t.match(model, /description = models\.TextField\(/);
  t.notOk('maxLength' in props.description!, 'the API sets no description limit either');
  t.ok(validate({ state: 'success', context: DEFAULT_CONTEXT, target_url: null, description: null }), 'the validator takes a good check');
  t.notOk(validate({ state: 'passed' }), 'and refuses a state patchwork does not know');
  t.notOk(validate({ state: 'fail', context: 'sea harness' }), 'a context that is no slug');
  t.notOk(validate({ state: 'fail', target_url: 'not a uri' }), 'a target_url that is no URI');
  t.notOk(validate({ state: 'fail', patch: 1 }), 'a field that is not in the request body');
});

t.test('ok: success for every patch, with the tally', async (t) => {
  const d = checks(fx.okResult());
  valid(t, d);
  t.same(states(d), [1, 2, 3].map((n) => [n, 'success', 'no regressions (2 passed, 1 skipped)']));
  t.same(d.checks.map((c) => c.message_id), ['20261125-v2-1-iabt@example.org', '20261125-v2-2-iabt@example.org', '20261125-v2-3-iabt@example.org']);
  t.same(d.checks[0]!.check, { state: 'success', target_url: URL_, context: 'sea-harness-kvm-sea', description: 'no regressions (2 passed, 1 skipped)' });
  t.same(d.skipped, []);
  const flaky = checks(fx.flakyResult());
  valid(t, flaky);
  t.same(states(flaky).map((s) => s[1]), ['success', 'success', 'success', 'success'], 'a flake cleared by its re-run is no failure');
  t.equal(flaky.checks[0]!.check.description, 'no regressions (1 passed, 1 flaky)');
});

t.test('checkpatch errors: warning on that patch only; warnings alone change nothing', async (t) => {
  const r = fx.okResult();
  const apply = r.apply.map((p) => (p.patch === 1 ? { ...p, checkpatch: { errors: 1, warnings: 2, checks: 0, messages: ['ERROR:MISSING_SIGN_OFF: Missing Signed-off-by: line(s)'] } } : p));
  const d = checks({ ...r, apply });
  valid(t, d);
  t.same(states(d), [
    [1, 'warning', 'checkpatch: 1 error(s), 2 warning(s); no regressions (2 passed, 1 skipped)'],
    [2, 'success', 'no regressions (2 passed, 1 skipped)'],
    [3, 'success', 'no regressions (2 passed, 1 skipped)'],
  ]);
  t.equal(r.apply[2]!.checkpatch!.warnings, 1, 'patch 3 has a checkpatch warning and stays success');
});

t.test('regressed: fail on the last patch, warning on the ones before', async (t) => {
  const d = checks(fx.regressedResult());
  valid(t, d);
  t.same(states(d), [
    [1, 'warning', 'the series regresses inject_iabt (tested with all 4 patches)'],
    [2, 'warning', 'the series regresses inject_iabt (tested with all 4 patches)'],
    [3, 'warning', 'the series regresses inject_iabt (tested with all 4 patches)'],
    [4, 'fail', 'regression: inject_iabt (pass -> fail)'],
  ]);
  t.equal(d.checks[3]!.message_id, '20261126-break-4-iabt@example.org');
  const r = fx.regressedResult();
  const two = { ...r, cases: [r.cases[0]!, { ...r.cases[0]!, name: 'external_aborts', base: null }] };
  t.same(states(checks(two)).slice(2), [
    [3, 'warning', 'the series regresses inject_iabt, external_aborts (tested with all 4 patches)'],
    [4, 'fail', 'regression: inject_iabt (pass -> fail), external_aborts (absent -> fail)'],
  ]);
});

t.test('apply-failed: fail where it stops, warning before, nothing after', async (t) => {
  const last = checks(fx.applyFailedResult());
  valid(t, last);
  t.same(states(last), [
    [1, 'warning', 'applies; not tested: patch 4/4 does not apply'],
    [2, 'warning', 'applies; not tested: patch 4/4 does not apply'],
    [3, 'warning', 'applies; not tested: patch 4/4 does not apply'],
    [4, 'fail', 'does not apply to Debian linux-source-7.3 7.3.4-1~bpo13+1'],
  ]);
  const early = checks(fx.applyFailedEarlyResult());
  valid(t, early);
  t.same(states(early), [
    [1, 'warning', 'applies; not tested: patch 2/4 does not apply'],
    [2, 'fail', 'does not apply to Debian linux-source-7.3 7.3.4-1~bpo13+1'],
  ]);
  t.same(early.skipped, [{ patch: 3, why: 'not tried' }, { patch: 4, why: 'not tried' }]);
});

t.test('build-failed: fail on the patch that breaks it; the whole series or one patch', async (t) => {
  const whole = checks(fx.buildFailedResult());
  valid(t, whole);
  const error = "breaks the build: arch/arm64/kvm/guest.c:8:51: error: 'struct <anonymous>' has no member named 'ext_iabt_pending'; did you mean 'ext_dabt...";
  t.same(states(whole), [
    [1, 'warning', 'not tested: the series does not build with all 3 patches'],
    [2, 'warning', 'not tested: the series does not build with all 3 patches'],
    [3, 'fail', error],
  ]);
  t.equal(error.length, DESCRIPTION_MAX, 'the compile error clipped to the description limit');
  const middle = checks(fx.middleBreakResult());
  valid(t, middle);
  t.same(states(middle), [
    [1, 'success', 'no regressions (2 passed, 1 skipped)'],
    [2, 'fail', error],
    [3, 'success', 'no regressions (2 passed, 1 skipped)'],
  ]);
  const both = fx.middleBreakResult();
  const regressed = { ...both, cases: fx.regressedResult().cases };
  t.same(states(checks(regressed)).map((s) => s[1]), ['warning', 'fail', 'fail'], 'a regression as well: the last patch fails too');
  const plain = fx.buildFailedResult();
  const outside = { ...plain, apply: plain.apply.map((p) => (p.buildError ? { ...p, buildError: 'the kernel failed to build: x.c:1:2: error: y' } : p)) };
  t.equal(checks(outside).checks[2]!.check.description, 'breaks the build: x.c:1:2: error: y', 'without the sandbox too');
  t.equal(checks({ ...plain, apply: plain.apply.map((p) => ({ ...p, buildError: null })) }).checks[2]!.check.description, error, "the build's error when the patch has none");
});

t.test('error: no check for any patch', async (t) => {
  const d = checks(fx.errorResult());
  t.same(d.checks, []);
  t.same(d.skipped, [1, 2, 3].map((patch) => ({ patch, why: 'no result: the test setup failed' })));
});

t.test('message ids, target URL and context', async (t) => {
  const r = fx.okResult();
  const d = checks({ ...r, apply: r.apply.map((p) => (p.patch === 1 ? { ...p, messageId: `<${p.messageId}>` } : p.patch === 2 ? { ...p, messageId: null } : p)) });
  t.same(d.checks.map((c) => [c.patch, c.message_id]), [[1, '20261125-v2-1-iabt@example.org'], [3, '20261125-v2-3-iabt@example.org']], 'brackets dropped');
  t.same(d.skipped, [{ patch: 2, why: 'no Message-ID to find it in patchwork by' }]);
  t.equal(checks(r, null).checks[0]!.check.target_url, null);
  t.equal(checks(r, '/srv/bot/jobs/1').checks[0]!.check.target_url, null, 'a directory is no URL');
  t.equal(checks(r, 'ftp://bot.example.org/1').checks[0]!.check.target_url, null, 'http(s) only');
  t.equal(checks(r, 'https://bot.example.org/a b').checks[0]!.check.target_url, null, 'no blanks');
  const long = `https://bot.example.org/${'x'.repeat(TARGET_URL_MAX - 24)}`;
  t.equal(long.length, TARGET_URL_MAX);
  t.equal(checks(r, long).checks[0]!.check.target_url, long, '200 characters: kept');
  t.equal(checks(r, `${long}y`).checks[0]!.check.target_url, null, '201: patchwork would refuse it');
  t.equal(patchworkChecks(r, { targetUrl: null, context: 'kvm_sea-2' }).checks[0]!.check.context, 'kvm_sea-2');
  t.equal(patchworkChecks(r, { targetUrl: null, context: 'x'.repeat(CONTEXT_MAX) }).checks[0]!.check.context.length, CONTEXT_MAX);
  t.throws(() => patchworkChecks(r, { targetUrl: null, context: 'x'.repeat(CONTEXT_MAX + 1) }), UsageError);
  t.throws(() => patchworkChecks(r, { targetUrl: null, context: 'sea harness' }), /"sea harness" is not a slug/);
  t.throws(() => patchworkChecks(r, { targetUrl: null, context: '' }), UsageError);
  t.match((() => { try { patchworkChecks(r, { targetUrl: null, context: 'a b' }); } catch (e) { return (e as UsageError).hint; } return ''; })(), /^use 1 to 255 of letters, digits, '-' and '_' \(patchwork's SlugField\), e\.g\. sea-harness-kvm-sea$/);
  t.equal(checks(r, 'http://bot.example.org/1').checks[0]!.check.target_url, 'http://bot.example.org/1', 'http too');
  t.equal(checks(r, 'see https://bot.example.org/1').checks[0]!.check.target_url, null, 'a URL, not text holding one');
});

t.test('clip: one line, at most the limit, an ellipsis when cut', async (t) => {
  t.equal(clip('a\n  b'), 'a b');
  t.equal(clip('x'.repeat(DESCRIPTION_MAX)), 'x'.repeat(DESCRIPTION_MAX));
  t.equal(clip('x'.repeat(DESCRIPTION_MAX + 1)), `${'x'.repeat(DESCRIPTION_MAX - 3)}...`);
  t.equal(clip('ab cdef', 6), 'ab...', 'no blank before the ellipsis');
  t.equal(clip('  a  '), 'a', 'trimmed');
  t.equal(DESCRIPTION_MAX, 140);
});
