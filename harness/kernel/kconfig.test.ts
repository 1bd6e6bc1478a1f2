// Kconfig merging and verification on data.
import t from 'tap';
import { dependsOfSymbol, fragmentFromLines, mergeFragments, parseKconfigText, renderFragment, symbolsInExpression, verifyConfig } from './kconfig.js';

t.test('parse and render', async (t) => {
  const m = parseKconfigText('# comment\nCONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C="x y"\n');
  t.same([...m], [['CONFIG_A', 'y'], ['CONFIG_B', 'n'], ['CONFIG_C', '"x y"']]);
  t.equal(renderFragment(m), 'CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C="x y"\n');
});

t.test('merge: union, conflicts named with their origins, user overrides win', async (t) => {
  const a = fragmentFromLines('guests/a.json', ['CONFIG_KVM=y', 'CONFIG_ACPI=y']);
  const b = fragmentFromLines('cases/b.json', ['CONFIG_KVM=y', 'CONFIG_DEBUG_FS=y']);
  const c = fragmentFromLines('cases/c.json', ['CONFIG_ACPI=n']);
  const { merged, conflicts } = mergeFragments([a, b, c], [fragmentFromLines('user.config', ['CONFIG_DEBUG_FS=n'])]);
  t.equal(merged.get('CONFIG_KVM'), 'y');
  t.equal(merged.get('CONFIG_DEBUG_FS'), 'n', 'user fragment wins');
  t.equal(conflicts.length, 1);
  t.equal(conflicts[0]!.symbol, 'CONFIG_ACPI');
  t.same(conflicts[0]!.values.map((v) => v.origin), ['guests/a.json', 'cases/c.json']);
});

t.test('verify names every dropped symbol', async (t) => {
  const dropped = verifyConfig(new Map([['CONFIG_A', 'y'], ['CONFIG_B', 'y'], ['CONFIG_C', 'n']]), new Map([['CONFIG_A', 'y']]));
  t.same(dropped, [{ symbol: 'CONFIG_B', wanted: 'y', got: 'n' }]);
});

t.test('depends on lines of a Kconfig entry', async (t) => {
  const kconfig = 'config ACPI_APEI_EINJ\n\ttristate "APEI Error INJection (EINJ)"\n\tdepends on ACPI_APEI && DEBUG_FS\n\thelp\n\t  text\n\nconfig OTHER\n\tbool\n';
  const e = dependsOfSymbol(kconfig, 'ACPI_APEI_EINJ');
  t.same(e, { found: true, dependsOn: ['ACPI_APEI && DEBUG_FS'], hasPrompt: true });
  t.same(symbolsInExpression('KVM && (CPU_SUP_AMD || !CPU_SUP_HYGON)'), ['KVM', 'CPU_SUP_AMD', 'CPU_SUP_HYGON']);
  t.equal(dependsOfSymbol(kconfig, 'OTHER').hasPrompt, false);
  t.equal(dependsOfSymbol(kconfig, 'MISSING').found, false);
});
