/* sea-route.c: bare-metal EL2 firmware (TAP output) checking QEMU's HCR_EL2.TEA routing of synchronous External aborts and the virt "einj" poison device. */

/*
 * Build (from this directory):
 *   aarch64-linux-gnu-gcc -nostdlib -ffreestanding -mgeneral-regs-only \
 *     -mstrict-align -fno-pie -no-pie -static -Wl,--build-id=none \
 *     -O2 -Wall -Wextra -T link.ld start.S sea-route.c -o sea-route.elf &&
 *   aarch64-linux-gnu-objcopy -O binary sea-route.elf sea-route.bin
 *
 * (-fno-pie/-no-pie: Debian's gcc defaults to PIE, which would need a
 * loader to apply relocations; the image runs where it is linked.)
 *
 * Run:
 *   timeout 60 qemu-system-aarch64 -accel tcg \
 *     -M virt,virtualization=on,gic-version=3,einj=on -cpu max -m 512M \
 *     -nographic -nodefaults -serial stdio -bios sea-route.bin
 *
 * The machine has EL2 but no EL3, so the CPU resets into EL2 at 0x0,
 * and QEMU implements PSCI for "smc #0" issued at EL2 (or EL1).
 * The MMU stays off at every EL: every data access is then to Device
 * memory, where an unaligned access faults, so all accesses here are
 * naturally aligned (and the build uses -mstrict-align).
 *
 * sea-route.elf and sea-route.bin are build artifacts (git-ignore them).
 */

#include <stdint.h>

#define UART_BASE		0x09000000UL	/* PL011 */
#define UART_DR			0x00
#define UART_FR			0x18
#define UART_FR_TXFF		(1u << 5)
#define UART_CR			0x30
#define UART_CR_EN_TX_RX	0x301	/* UARTEN | TXE | RXE */

#define EINJ_BASE		0x090c0000UL
#define EINJ_COMMAND		0x00
#define EINJ_STATUS		0x10
#define EINJ_ERROR_TYPES	0x18
#define EINJ_PARAM_TYPE		0x40	/* u32 */
#define EINJ_PARAM_FLAGS	0x48	/* u32 */
#define EINJ_PARAM_ADDR		0x50	/* u64 */
#define EINJ_PARAM_MASK		0x58	/* u64 */
#define EINJ_TYPE_MEM_UC	0x10	/* memory uncorrectable non-fatal */
#define EINJ_FLAG_MEM_ADDR	0x2

#define POISON_PAGE		0x40200000UL
#define POISON_ADDR		(POISON_PAGE + 0x10)
#define CLEAN_ADDR		(POISON_PAGE + 0x1000 + 0x10)	/* next page */

/*
 * State that must survive the PSCI SYSTEM_RESET of test 6: outside .bss
 * (which start.S zeroes on every boot) and above the DTB that QEMU
 * copies back into the first MiB of RAM on reset.
 */
#define PERSIST_ADDR		0x401f0000UL
#define PERSIST_MAGIC		0x5345415245534554UL	/* "TESERAES" */

#define PSCI_SYSTEM_OFF		0x84000008UL
#define PSCI_SYSTEM_RESET	0x84000009UL

#define HCR_RW			(1UL << 31)	/* EL1 is AArch64 */
#define HCR_TEA			(1UL << 37)	/* route SEAs from EL0/EL1 to EL2 */

/* ESR_ELx fields */
#define ESR_EC(esr)		(((esr) >> 26) & 0x3f)
#define ESR_EA			(1UL << 9)
#define ESR_DFSC(esr)		((esr) & 0x3f)
#define EC_HVC64		0x16
#define EC_DABT_LOWER		0x24
#define EC_DABT_CUR		0x25
#define DFSC_SEA		0x10	/* synchronous External abort, not on a walk */

/* Vector index (offset / 0x80) of "synchronous" entries */
#define VEC_CUR_SPX_SYNC	4
#define VEC_LOWER64_SYNC	8

struct persist {
	uint64_t magic;
	uint64_t poisoned_before_reset;	/* 1 if the pre-reset read aborted */
	uint64_t inject_status;
	uint64_t pre_esr;
	uint64_t failures;		/* tests 1..5 that failed */
};

struct exc {
	uint64_t el, idx, esr, far, elr;
};

#define EXC_LOG_MAX		8
#define EXC_RUNAWAY		64

/* Everything below lives in .bss: zeroed by start.S, no .data needed */
uint64_t el2_saved_sp;			/* used by start.S run_at_el1 */
static volatile struct exc exc_log[EXC_LOG_MAX];
static volatile uint64_t exc_count;	/* exceptions since log_reset() */
static volatile uint64_t exc_total;	/* all exceptions: runaway guard */
static char detail[256];
static unsigned detail_len;
static unsigned failures;

uint64_t run_at_el1(uint64_t (*fn)(uint64_t), uint64_t arg);
void psci_system_off(void) __attribute__((noreturn));
int el2_trap(uint64_t idx, uint64_t *regs);
void el1_trap(uint64_t idx, uint64_t *regs);
void el1_stuck(void) __attribute__((noreturn));
void main(void) __attribute__((noreturn));

#define read_sysreg(r) ({ uint64_t __v; \
	__asm__ volatile("mrs %0, " #r : "=r"(__v)); __v; })
#define write_sysreg(r, v) __asm__ volatile("msr " #r ", %0" :: "r"((uint64_t)(v)))

/*
 * A load that may abort: the handlers skip the faulting instruction, so
 * the destination register keeps what it held before.  Preloading it
 * with NOT_READ makes a skipped load visible in the value too.
 */
#define NOT_READ		0xbad0bad0bad0bad0UL
static inline uint64_t rd64(uint64_t a)
{
	uint64_t v = NOT_READ;

	__asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(a) : "memory");
	return v;
}
static inline void wr64(uint64_t a, uint64_t v) { *(volatile uint64_t *)a = v; }
static inline void wr32(uint64_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline void wr8(uint64_t a, uint8_t v) { *(volatile uint8_t *)a = v; }

/* ---- output ---- */

static void putc_(char c)
{
	/* Bounded wait on TXFF: a stuck UART must not hang the test */
	for (unsigned i = 0; i < 100000; i++)
		if (!(*(volatile uint32_t *)(UART_BASE + UART_FR) & UART_FR_TXFF))
			break;
	*(volatile uint32_t *)(UART_BASE + UART_DR) = (uint8_t)c;
}

/*
 * The PL011 resets with UARTCR.UARTEN clear; transmitting then is
 * outside the PL011 programming model (QEMU logs a guest error), so
 * enable it on every boot, the PSCI reset included.
 */
static void uart_init(void)
{
	*(volatile uint32_t *)(UART_BASE + UART_CR) = UART_CR_EN_TX_RX;
}

static void puts_(const char *s)
{
	while (*s)
		putc_(*s++);
}

static void puthex(uint64_t v)
{
	int shift = 60;

	puts_("0x");
	while (shift > 0 && !((v >> shift) & 0xf))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		putc_("0123456789abcdef"[(v >> shift) & 0xf]);
}

static void putdec(uint64_t v)
{
	char b[24];
	int n = 0;

	do {
		b[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		putc_(b[--n]);
}

/* Failure detail, appended to a "not ok" line */
static void d_reset(void) { detail_len = 0; detail[0] = 0; }

static void d_str(const char *s)
{
	while (*s && detail_len < sizeof(detail) - 1)
		detail[detail_len++] = *s++;
	detail[detail_len] = 0;
}

static void d_hex(uint64_t v)
{
	char b[19];
	int n = 0, shift = 60;

	b[n++] = '0';
	b[n++] = 'x';
	while (shift > 0 && !((v >> shift) & 0xf))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		b[n++] = "0123456789abcdef"[(v >> shift) & 0xf];
	b[n] = 0;
	d_str(b);
}

static void d_dec(uint64_t v)
{
	char b[24], r[24];
	int n = 0, m = 0;

	do {
		b[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		r[m++] = b[--n];
	r[m] = 0;
	d_str(r);
}

static void tap(unsigned n, int ok, const char *desc)
{
	if (!ok) {
		failures++;
		puts_("not ");
	}
	puts_("ok ");
	putdec(n);
	puts_(" - ");
	puts_(desc);
	if (!ok) {
		puts_(": ");
		puts_(detail_len ? detail : "failed");
	}
	puts_("\n");
}

/* ---- PSCI (QEMU's own implementation, SMC conduit with EL2) ---- */

static uint64_t psci_call(uint64_t fn)
{
	register uint64_t x0 __asm__("x0") = fn;

	__asm__ volatile("smc #0" : "+r"(x0) :: "x1", "x2", "x3", "memory");
	return x0;
}

void psci_system_off(void)
{
	psci_call(PSCI_SYSTEM_OFF);
	puts_("# PSCI SYSTEM_OFF returned\n");
	for (;;)
		__asm__ volatile("wfi");
}

/* ---- exceptions ---- */

static void log_reset(void) { exc_count = 0; }

static void record(uint64_t el, uint64_t idx, uint64_t esr, uint64_t far,
		   uint64_t elr)
{
	uint64_t n = exc_count;

	if (n < EXC_LOG_MAX) {
		exc_log[n].el = el;
		exc_log[n].idx = idx;
		exc_log[n].esr = esr;
		exc_log[n].far = far;
		exc_log[n].elr = elr;
	}
	exc_count = n + 1;
	/* A fault that skipping cannot get past would otherwise loop forever */
	if (++exc_total > EXC_RUNAWAY) {
		puts_("Bail out! too many exceptions, last ESR ");
		puthex(esr);
		puts_(" ELR ");
		puthex(elr);
		puts_("\n");
		psci_system_off();
	}
}

/*
 * EL2 exceptions.  Returns 1 only for the "hvc #0" that ends an EL1
 * excursion (run_at_el1), so that start.S resumes the EL2 flow instead
 * of returning to EL1.  Any other exception is recorded and, if
 * synchronous, the faulting instruction is skipped: ELR_EL2 holds the
 * address of the aborting load/store itself (a Data Abort is taken
 * before the instruction completes), so ELR + 4 is the next one.
 */
int el2_trap(uint64_t idx, uint64_t *regs)
{
	uint64_t esr = read_sysreg(esr_el2);
	uint64_t far = read_sysreg(far_el2);
	uint64_t elr = read_sysreg(elr_el2);

	(void)regs;
	if (idx == VEC_LOWER64_SYNC && ESR_EC(esr) == EC_HVC64)
		return 1;
	record(2, idx, esr, far, elr);
	if ((idx & 3) == 0)
		write_sysreg(elr_el2, elr + 4);
	return 0;
}

/* EL1 exceptions: record and skip, as above */
void el1_trap(uint64_t idx, uint64_t *regs)
{
	uint64_t esr = read_sysreg(esr_el1);
	uint64_t far = read_sysreg(far_el1);
	uint64_t elr = read_sysreg(elr_el1);

	(void)regs;
	record(1, idx, esr, far, elr);
	if ((idx & 3) == 0)
		write_sysreg(elr_el1, elr + 4);
}

void el1_stuck(void)
{
	puts_("Bail out! hvc #0 at EL1 did not reach EL2\n");
	psci_system_off();
}

static void print_log(const char *what)
{
	uint64_t n = exc_count;

	puts_("# ");
	puts_(what);
	puts_(": ");
	putdec(n);
	puts_(" exception(s)\n");
	for (uint64_t i = 0; i < n && i < EXC_LOG_MAX; i++) {
		puts_("#   taken to EL");
		putdec(exc_log[i].el);
		puts_(" vector +");
		puthex(exc_log[i].idx * 0x80);
		puts_(" ESR_EL");
		putdec(exc_log[i].el);
		puts_(" ");
		puthex(exc_log[i].esr);
		puts_(" (EC ");
		puthex(ESR_EC(exc_log[i].esr));
		puts_(" DFSC ");
		puthex(ESR_DFSC(exc_log[i].esr));
		puts_(exc_log[i].esr & ESR_EA ? " EA" : " !EA");
		puts_(") FAR_EL");
		putdec(exc_log[i].el);
		puts_(" ");
		puthex(exc_log[i].far);
		puts_(" ELR ");
		puthex(exc_log[i].elr);
		puts_("\n");
	}
}

/* Describe the exceptions seen into the failure detail */
static void d_log(void)
{
	uint64_t n = exc_count;

	d_dec(n);
	d_str(" exception(s)");
	if (n) {
		d_str(", first at EL");
		d_dec(exc_log[0].el);
		d_str(" ESR ");
		d_hex(exc_log[0].esr);
		d_str(" FAR ");
		d_hex(exc_log[0].far);
	}
}

/*
 * Checks that exactly one exception was seen, at @el through vector
 * @idx, and that it is a synchronous External abort on a data read of
 * @addr reported with EC @ec.  Builds the failure detail otherwise.
 */
static int expect_one_sea(uint64_t el, uint64_t idx, uint64_t ec,
			  uint64_t addr)
{
	volatile struct exc *e = &exc_log[0];

	d_reset();
	if (exc_count != 1) {
		d_str("expected 1 exception, saw ");
		d_log();
		return 0;
	}
	if (e->el != el || e->idx != idx) {
		d_str("taken to EL");
		d_dec(e->el);
		d_str(" vector offset ");
		d_hex(e->idx * 0x80);
		d_str(", expected EL");
		d_dec(el);
		d_str(" offset ");
		d_hex(idx * 0x80);
		return 0;
	}
	if (ESR_EC(e->esr) != ec || ESR_DFSC(e->esr) != DFSC_SEA ||
	    !(e->esr & ESR_EA)) {
		d_str("ESR ");
		d_hex(e->esr);
		d_str(" (EC ");
		d_hex(ESR_EC(e->esr));
		d_str(" DFSC ");
		d_hex(ESR_DFSC(e->esr));
		d_str("), expected EC ");
		d_hex(ec);
		d_str(" DFSC 0x10 EA=1");
		return 0;
	}
	if (e->far != addr) {
		d_str("FAR ");
		d_hex(e->far);
		d_str(", expected ");
		d_hex(addr);
		return 0;
	}
	return 1;
}

static int expect_no_exception(void)
{
	d_reset();
	if (exc_count) {
		d_str("unexpected ");
		d_log();
		return 0;
	}
	return 1;
}

/* ---- EINJ ---- */

/* Injects a memory uncorrectable error at @addr; returns STATUS */
static uint64_t einj_inject(uint64_t addr)
{
	wr32(EINJ_BASE + EINJ_PARAM_TYPE, EINJ_TYPE_MEM_UC);
	wr32(EINJ_BASE + EINJ_PARAM_FLAGS, EINJ_FLAG_MEM_ADDR);
	wr64(EINJ_BASE + EINJ_PARAM_ADDR, addr);
	wr64(EINJ_BASE + EINJ_PARAM_MASK, ~0UL);
	wr64(EINJ_BASE + EINJ_COMMAND, 1);
	return rd64(EINJ_BASE + EINJ_STATUS);
}

static void set_hcr(uint64_t v)
{
	write_sysreg(hcr_el2, v);
	/* Make the new routing visible to the following instructions */
	__asm__ volatile("isb" ::: "memory");
}

/* Runs at EL1 (through run_at_el1): one 64-bit load, nothing else */
static uint64_t el1_read64(uint64_t addr)
{
	return rd64(addr);
}

/* ---- tests ---- */

static void test1_registers(void)
{
	uint64_t types, status;
	int ok;

	log_reset();
	types = rd64(EINJ_BASE + EINJ_ERROR_TYPES);
	status = einj_inject(POISON_PAGE);
	puts_("# ERROR_TYPES ");
	puthex(types);
	puts_(" STATUS ");
	puthex(status);
	if (types == NOT_READ || status == NOT_READ)
		puts_(" (0xbad0bad0bad0bad0: the load aborted)");
	puts_("\n");
	/* Without the device, the accesses themselves abort (and are skipped) */
	ok = expect_no_exception();
	if (ok && types != EINJ_TYPE_MEM_UC) {
		d_str("ERROR_TYPES ");
		d_hex(types);
		d_str(", expected 0x10");
		ok = 0;
	}
	if (ok && status != 0) {
		d_str("STATUS ");
		d_hex(status);
		d_str(" after injecting at ");
		d_hex(POISON_PAGE);
		ok = 0;
	}
	if (!ok)
		print_log("EINJ register accesses");
	tap(1, ok, "EINJ registers: ERROR_TYPES is 0x10, injection STATUS 0");
}

static void test2_tea1(void)
{
	/*
	 * Arm ARM, HCR_EL2.TEA: "Route synchronous External abort exceptions
	 * to EL2" from EL0/EL1 when EL2 is enabled; reported to EL2 as a Data
	 * Abort from a lower EL (EC 0x24).
	 */
	set_hcr(HCR_RW | HCR_TEA);
	log_reset();
	run_at_el1(el1_read64, POISON_ADDR);
	print_log("TEA=1, EL1 read of the poisoned page");
	tap(2, expect_one_sea(2, VEC_LOWER64_SYNC, EC_DABT_LOWER, POISON_ADDR),
	    "TEA=1: SEA from EL1 is taken to EL2 (EC 0x24, DFSC 0x10, EA, FAR_EL2)");
}

static void test3_tea0(void)
{
	/* TEA=0: the SEA is taken to EL1, the EL of the load (same EL) */
	set_hcr(HCR_RW);
	log_reset();
	run_at_el1(el1_read64, POISON_ADDR);
	print_log("TEA=0, EL1 read of the poisoned page");
	tap(3, expect_one_sea(1, VEC_CUR_SPX_SYNC, EC_DABT_CUR, POISON_ADDR),
	    "TEA=0: SEA at EL1 is taken to EL1 (EC 0x25, DFSC 0x10, EA, FAR_EL1)");
}

static void test4_clean_page(void)
{
	const uint64_t pattern = 0x0123456789abcdefUL;
	uint64_t v;
	int ok;

	/* The page right after the poisoned one: poison is per 4 KiB page */
	wr64(CLEAN_ADDR, pattern);
	set_hcr(HCR_RW | HCR_TEA);
	log_reset();
	v = run_at_el1(el1_read64, CLEAN_ADDR);
	ok = expect_no_exception();
	if (ok && v != pattern) {
		d_str("read ");
		d_hex(v);
		d_str(", expected ");
		d_hex(pattern);
		ok = 0;
	}
	if (!ok)
		print_log("TEA=1, EL1 read of the next page");
	tap(4, ok, "TEA=1: EL1 read of a non-poisoned page (next page) does not abort");
}

static void test5_write_clears(void)
{
	const uint64_t val = 0x1122334455667788UL;
	const uint64_t val_b = 0x11223344556677aaUL;
	uint64_t v, st;
	int ok;

	/* At EL2 TEA has no effect: an SEA at EL2 is taken to EL2 */
	log_reset();
	wr64(POISON_ADDR, val);
	v = rd64(POISON_ADDR);
	ok = expect_no_exception();
	if (ok && v != val) {
		d_str("64-bit write then read gave ");
		d_hex(v);
		ok = 0;
	}
	if (!ok) {
		print_log("EL2 64-bit write + read of the poisoned page");
		tap(5, 0, "a write clears the poison");
		return;
	}

	/* Poison again, check that it took, then clear it with one byte */
	st = einj_inject(POISON_PAGE);
	log_reset();
	(void)rd64(POISON_ADDR);
	print_log("EL2 read after re-poisoning");
	ok = st == 0 && expect_one_sea(2, VEC_CUR_SPX_SYNC, EC_DABT_CUR,
					POISON_ADDR);
	if (!ok) {
		if (st != 0) {
			d_reset();
			d_str("re-injection STATUS ");
			d_hex(st);
		} else {
			d_str(" (EL2 read after re-poisoning)");
		}
		tap(5, 0, "a write clears the poison");
		return;
	}
	log_reset();
	wr8(POISON_ADDR, 0xaa);
	v = rd64(POISON_ADDR);
	ok = expect_no_exception();
	if (ok && v != val_b) {
		d_str("byte write then read gave ");
		d_hex(v);
		d_str(", expected ");
		d_hex(val_b);
		ok = 0;
	}
	if (!ok)
		print_log("EL2 byte write + read of the re-poisoned page");
	tap(5, ok, "a write clears the poison (64-bit write, then 1-byte write after re-poisoning)");
}

static void test6_before_reset(volatile struct persist *ps)
{
	uint64_t st;

	st = einj_inject(POISON_PAGE);
	log_reset();
	(void)rd64(POISON_ADDR);
	print_log("EL2 read after poisoning, before the reset");
	ps->inject_status = st;
	ps->poisoned_before_reset =
		st == 0 && expect_one_sea(2, VEC_CUR_SPX_SYNC, EC_DABT_CUR,
					  POISON_ADDR);
	ps->pre_esr = exc_count ? exc_log[0].esr : 0;
	ps->failures = failures;
	ps->magic = PERSIST_MAGIC;
	puts_("# injected at ");
	puthex(POISON_PAGE);
	puts_(" (STATUS ");
	puthex(st);
	puts_("), PSCI SYSTEM_RESET\n");
	psci_call(PSCI_SYSTEM_RESET);

	/* Only reached if the reset did not happen */
	ps->magic = 0;
	d_reset();
	d_str("PSCI SYSTEM_RESET returned");
	tap(6, 0, "a system reset clears the poison");
}

static void test6_after_reset(volatile struct persist *ps)
{
	uint64_t v;
	int ok;

	failures = ps->failures;
	/* Clear the magic first, so that a failure below cannot loop */
	ps->magic = 0;
	puts_("# second boot (reset-surviving magic found in RAM)\n");

	set_hcr(HCR_RW);	/* TEA=0, and no effect at EL2 anyway */
	log_reset();
	v = rd64(POISON_ADDR);
	puts_("# read ");
	puthex(v);
	puts_(" at ");
	puthex(POISON_ADDR);
	puts_(" after the reset\n");
	print_log("EL2 read after the reset");
	ok = expect_no_exception();
	if (ok && !ps->poisoned_before_reset) {
		d_str("the page was not poisoned before the reset (STATUS ");
		d_hex(ps->inject_status);
		d_str(", ESR ");
		d_hex(ps->pre_esr);
		d_str(")");
		ok = 0;
	}
	tap(6, ok, "a system reset clears the poison");
}

void main(void)
{
	volatile struct persist *ps = (volatile struct persist *)PERSIST_ADDR;
	uint64_t el = (read_sysreg(CurrentEL) >> 2) & 3;

	uart_init();
	if (ps->magic == PERSIST_MAGIC) {
		test6_after_reset(ps);
	} else {
		puts_("TAP version 13\n1..6\n");
		if (el != 2) {
			puts_("Bail out! started at EL");
			putdec(el);
			puts_(", expected EL2 (use virtualization=on)\n");
			psci_system_off();
		}
		test1_registers();
		test2_tea1();
		test3_tea0();
		test4_clean_page();
		test5_write_clears();
		test6_before_reset(ps);
	}
	puts_("# ");
	putdec(failures);
	puts_(" of 6 failed\n# done\n");
	psci_system_off();
}
