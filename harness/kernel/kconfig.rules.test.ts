// Kconfig fragments merged, rendered and verified against a real 7.3.4 .config (kernel/fixtures), and Kconfig entries read.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { dependsOfSymbol, fragmentFromLines, mergeFragments, parseKconfigText, renderFragment, symbolsInExpression, verifyConfig } from './kconfig.js';

/** The .config of the kernel the iabt run built for virt-ras-nested (allnoconfig plus the fragments). */
const DOT_CONFIG = readFileSync(new URL('./fixtures/config-7.3.4-virt-ras-nested.config', import.meta.url), 'utf8');
const SEA_FRAGMENT = ['CONFIG_KVM=y', 'CONFIG_ACPI_APEI_EINJ=y', 'CONFIG_MEMORY_FAILURE=y', 'CONFIG_ACPI_APEI_MEMORY_FAILURE=y', 'CONFIG_PROC_PAGE_MONITOR=y', 'CONFIG_HUGETLBFS=y', 'CONFIG_DEBUG_FS=y'];

/** Excerpts of drivers/acpi/apei/Kconfig and arch/arm64/kvm/Kconfig (Linux 7.3). */
const APEI_KCONFIG = `config ACPI_APEI_EINJ
\ttristate "APEI Error INJection (EINJ)"
\tdepends on ACPI_APEI && DEBUG_FS
\thelp
\t  EINJ provides a hardware error injection mechanism, it is
\t  mainly used for debugging and testing the other parts of

\t  APEI and some other RAS features.

config ACPI_APEI_EINJ_CXL
\tbool "CXL Error INJection Support"
\tdefault ACPI_APEI_EINJ
\tdepends on ACPI_APEI_EINJ
\tdepends on CXL_BUS && CXL_BUS <= ACPI_APEI_EINJ
`;
const KVM_KCONFIG = `menuconfig VIRTUALIZATION
\tbool "Virtualization"

if VIRTUALIZATION

menuconfig KVM  
\tbool
\tprompt "Kernel-based Virtual Machine (KVM) support"
\tselect KVM_COMMON

config NVHE_EL2_DEBUG
\tbool "Debug mode for non-VHE EL2 object"
\tdepends on KVM
config PTDUMP_STAGE2_DEBUGFS
\tbool
\tdepends on KVM
\tdepends on DEBUG_KERNEL
\tdefault n

config KVM_COMMON
\tdef_bool y

config KVM_NUM
\tint "A number"
config KVM_HEX
\thex "A hex"
config KVM_STR
\tstring "A string"
endif # VIRTUALIZATION
`;

t.test('a real .config: values, "is not set" as n, everything else ignored', async (t) => {
  const c = parseKconfigText(DOT_CONFIG);
  t.equal(c.size, 644 + 854, 'every CONFIG_ line and every "is not set" line');
  t.equal(c.get('CONFIG_KVM'), 'y');
  t.equal(c.get('CONFIG_EXPERT'), 'n');
  t.equal(c.get('CONFIG_NR_CPUS'), '512');
  t.equal(c.get('CONFIG_LOCALVERSION'), '""');
  t.equal(c.get('CONFIG_CC_VERSION_TEXT'), '"aarch64-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0"');
  t.same(verifyConfig(fragmentFromLines('cases/sea_to_user.json', SEA_FRAGMENT).symbols, c), [], "the case's fragment made it into the .config");
  t.same(
    verifyConfig(fragmentFromLines('user.config', ['CONFIG_EXPERT=y', 'CONFIG_KVM=m', 'CONFIG_HZ=250', 'CONFIG_NOT_A_SYMBOL=y', '# CONFIG_NOT_THERE_EITHER is not set']).symbols, c),
    [
      { symbol: 'CONFIG_EXPERT', wanted: 'y', got: 'n' },
      { symbol: 'CONFIG_KVM', wanted: 'm', got: 'y' },
      { symbol: 'CONFIG_NOT_A_SYMBOL', wanted: 'y', got: 'n' },
    ],
    'each dropped symbol with what it got; a symbol missing from .config is n',
  );
});

t.test('line forms', async (t) => {
  t.same([...parseKconfigText('  CONFIG_A=y  \n#CONFIG_B is not set\n# CONFIG_C is not set \n# CONFIG_D is not set, really\nCONFIG_e_1=m\nCONFIG_F=\nCONFIG_A=n\nXCONFIG_G=y\n')], [
    ['CONFIG_A', 'n'],
    ['CONFIG_C', 'n'],
    ['CONFIG_e_1', 'm'],
    ['CONFIG_F', ''],
  ]);
  t.same(fragmentFromLines('guests/virt-dt.json', []), { origin: 'guests/virt-dt.json', symbols: new Map() });
});

t.test('merging: one value per symbol, conflicts named with every origin, overrides last', async (t) => {
  const guest = fragmentFromLines('guests/virt-ras-nested.json', ['CONFIG_ACPI=y', 'CONFIG_KVM=y', 'CONFIG_ARM64_RAS_EXTN=y']);
  const sea = fragmentFromLines('cases/sea_to_user.json', SEA_FRAGMENT);
  const ext = fragmentFromLines('cases/external_aborts.json', ['CONFIG_ARM64_RAS_EXTN=y', 'CONFIG_KVM=y']);
  const odd = fragmentFromLines('cases/odd.json', ['CONFIG_DEBUG_FS=n', 'CONFIG_ACPI=m']);
  const clean = mergeFragments([guest, sea, ext]);
  t.same(clean.conflicts, [], 'the same value twice is no conflict');
  t.equal(clean.merged.size, 9);
  const { merged, conflicts } = mergeFragments([guest, sea, ext, odd], [fragmentFromLines('--config my.config', ['CONFIG_DEBUG_FS=y', 'CONFIG_UBSAN=y'])]);
  t.same(conflicts, [
    { symbol: 'CONFIG_ACPI', values: [{ origin: 'guests/virt-ras-nested.json', value: 'y' }, { origin: 'cases/odd.json', value: 'm' }] },
    { symbol: 'CONFIG_DEBUG_FS', values: [{ origin: 'cases/sea_to_user.json', value: 'y' }, { origin: 'cases/odd.json', value: 'n' }] },
  ], 'in the order the symbols first appeared; the override is not a conflict');
  t.equal(merged.get('CONFIG_ACPI'), 'm', 'the later fragment');
  t.equal(merged.get('CONFIG_DEBUG_FS'), 'y', 'the override wins');
  t.equal(merged.get('CONFIG_UBSAN'), 'y');
  t.same(mergeFragments([]), { merged: new Map(), conflicts: [] });
});

t.test('rendering: sorted, n as "is not set", newline-terminated', async (t) => {
  const m = new Map([['CONFIG_KVM_ARM', 'y'], ['CONFIG_ACPI', 'y'], ['CONFIG_KVM', 'y'], ['CONFIG_DEBUG_FS', 'n'], ['CONFIG_CMDLINE', '"panic=-1"']]);
  t.equal(renderFragment(m), 'CONFIG_ACPI=y\nCONFIG_CMDLINE="panic=-1"\n# CONFIG_DEBUG_FS is not set\nCONFIG_KVM=y\nCONFIG_KVM_ARM=y\n');
  t.equal(renderFragment(new Map([...m].reverse())), renderFragment(m), 'equal sets, equal bytes');
  t.equal(renderFragment(new Map()), '\n');
  const again = parseKconfigText(renderFragment(parseKconfigText(DOT_CONFIG)));
  t.same([...again].sort(), [...parseKconfigText(DOT_CONFIG)].sort(), 'a rendered .config reads back the same');
});

t.test('a Kconfig entry: its depends on lines and whether it has a prompt', async (t) => {
  t.same(dependsOfSymbol(APEI_KCONFIG, 'ACPI_APEI_EINJ'), { found: true, dependsOn: ['ACPI_APEI && DEBUG_FS'], hasPrompt: true }, 'a blank line inside the help does not end it');
  t.same(dependsOfSymbol(APEI_KCONFIG, 'ACPI_APEI_EINJ_CXL'), { found: true, dependsOn: ['ACPI_APEI_EINJ', 'CXL_BUS && CXL_BUS <= ACPI_APEI_EINJ'], hasPrompt: true });
  t.same(dependsOfSymbol(KVM_KCONFIG, 'KVM'), { found: true, dependsOn: [], hasPrompt: true }, 'menuconfig, trailing blanks, a prompt line');
  t.same(dependsOfSymbol(KVM_KCONFIG, 'NVHE_EL2_DEBUG'), { found: true, dependsOn: ['KVM'], hasPrompt: true }, 'ends at the next config line');
  t.same(dependsOfSymbol(KVM_KCONFIG, 'PTDUMP_STAGE2_DEBUGFS'), { found: true, dependsOn: ['KVM', 'DEBUG_KERNEL'], hasPrompt: false }, 'bool without a prompt');
  t.equal(dependsOfSymbol(KVM_KCONFIG, 'KVM_COMMON').hasPrompt, false, 'def_bool');
  t.same(['KVM_NUM', 'KVM_HEX', 'KVM_STR'].map((s) => dependsOfSymbol(KVM_KCONFIG, s).hasPrompt), [true, true, true]);
  t.same(dependsOfSymbol(KVM_KCONFIG, 'VIRTUALIZATION'), { found: true, dependsOn: [], hasPrompt: true });
  t.same(dependsOfSymbol(KVM_KCONFIG, 'KVM_ARM'), { found: false, dependsOn: [], hasPrompt: false });
  t.same(dependsOfSymbol('# config KVM\n\tdepends on X\n', 'KVM').found, false, 'a comment is no entry');
  t.same(dependsOfSymbol('config KVM_ARM_HOST\n\tbool\n', 'KVM').found, false, 'a longer name is another symbol');
});

t.test('symbols of a dependency expression', async (t) => {
  t.same(symbolsInExpression('CXL_BUS && CXL_BUS <= ACPI_APEI_EINJ'), ['CXL_BUS', 'ACPI_APEI_EINJ']);
  t.same(symbolsInExpression('KVM && (CPU_SUP_AMD || !CPU_SUP_HYGON) if ARM64'), ['KVM', 'CPU_SUP_AMD', 'CPU_SUP_HYGON', 'ARM64']);
  t.same(symbolsInExpression('y'), []);
  t.same(symbolsInExpression('64BIT && ARM64'), ['BIT', 'ARM64'], 'a symbol starts with a letter');
});

t.test('the grammar of Kconfig lines, where a looser pattern would read help text', async (t) => {
  t.same([...parseKconfigText('x # CONFIG_Y is not set\n')], [], '"is not set" only as the whole line');
  const entry = `config KVM_ARM_EXAMPLE
\t\tbool  "Indented twice, two blanks before the prompt"
\t\tdepends on KVM   
\thelp
\t  This option depends on HAVE_EXAMPLE, and a tristate "m" builds it.
\t  prompt "is a word here"
config NEXT
\tdef_bool y
\thelp
\t  Say bool "y".
`;
  t.same(dependsOfSymbol(entry, 'KVM_ARM_EXAMPLE'), { found: true, dependsOn: ['KVM'], hasPrompt: true });
  t.same(dependsOfSymbol(entry, 'NEXT'), { found: true, dependsOn: [], hasPrompt: false }, 'a type word inside help text is no prompt');
  t.same(dependsOfSymbol('config A\n\tint\n\t  prompt "help line"\n', 'A').hasPrompt, true, 'prompt after any indentation');
  t.same(dependsOfSymbol('config A\n\tint\n\thelp\n\t  this prompt "x" is text\n', 'A').hasPrompt, false);
});
