/* start.S: entry at 0x0 (EL2), exception vectors for EL2 and EL1, and the EL2 -> EL1 -> EL2 round trip used by sea-route.c. */

/*
 * Frame built by every vector stub: x0..x30 (31 registers), rounded up
 * to 256 bytes because SP must stay 16-byte aligned (SCTLR_ELx.SA) and
 * with the MMU off every access is Device memory, where an unaligned
 * access faults.
 */
#define FRAME_SIZE	256

/* SPSR_EL2 for the eret to EL1: M[3:0] = 0b0101 (EL1h, SP_EL1), DAIF = 1111 */
#define SPSR_EL1H_MASKED	0x3c5

/*
 * SCTLR_EL1/SCTLR_EL2 with only their RES1 bits set: M = 0 (MMU off, so
 * nothing needs page tables), A = 0, C = I = 0.  The reset value of
 * these registers is architecturally UNKNOWN in part, hence the write.
 */
#define SCTLR_EL1_VAL	0x30d00800
#define SCTLR_EL2_VAL	0x30c50830

	.section .text.boot, "ax"
	.global _start
_start:
	/* Reset leaves PSTATE.DAIF set; keep everything masked: no GIC set up */
	msr	daifset, #0xf
	ldr	x0, =__stack_el2_top
	mov	sp, x0

	/*
	 * Zero .bss with aligned 8-byte stores (Device memory).  The
	 * reset-surviving state used by test 6 is deliberately outside .bss.
	 */
	ldr	x0, =__bss_start
	ldr	x1, =__bss_end
1:	cmp	x0, x1
	b.hs	2f
	str	xzr, [x0], #8
	b	1b
2:
	ldr	x0, =el2_vectors
	msr	vbar_el2, x0
	ldr	x0, =el1_vectors
	msr	vbar_el1, x0
	ldr	x0, =SCTLR_EL2_VAL
	msr	sctlr_el2, x0
	ldr	x0, =SCTLR_EL1_VAL
	msr	sctlr_el1, x0
	/* A system register write is only guaranteed visible after a context synchronization event */
	isb
	bl	main
	/* main() never returns; power off if it does */
	bl	psci_system_off
3:	wfi
	b	3b

	.text

/*
 * uint64_t run_at_el1(uint64_t (*fn)(uint64_t), uint64_t arg)
 *
 * Runs fn(arg) at EL1h and returns its result at EL2.  The way back is
 * "hvc #0" from EL1: an exception taken to EL2 (EC 0x16) that never
 * returns to EL1; el2_trap() tells the EL2 vector to jump to el2_resume,
 * which reloads the EL2 stack pointer saved here, restores the
 * callee-saved registers and returns from run_at_el1 as if fn had been
 * called directly.
 */
	.global run_at_el1
run_at_el1:
	stp	x29, x30, [sp, #-96]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	mov	x9, sp
	ldr	x10, =el2_saved_sp
	str	x9, [x10]
	/* EL1 runs on its own stack: an EL1h eret selects SP_EL1 */
	ldr	x9, =__stack_el1_top
	msr	sp_el1, x9
	ldr	x9, =el1_trampoline
	msr	elr_el2, x9
	mov	x9, #SPSR_EL1H_MASKED
	msr	spsr_el2, x9
	/* x0 = fn and x1 = arg are carried unchanged through the eret */
	eret

/* At EL1h: call fn(arg), then go back to EL2 with the result in x0 */
el1_trampoline:
	mov	x9, x0
	mov	x0, x1
	blr	x9
	hvc	#0
	/* Only reached if the hvc did not take us to EL2 (e.g. it was UNDEFINED) */
	bl	el1_stuck
4:	wfi
	b	4b

/* Entered from el2_common with x0 = EL1's x0 (fn's result) */
el2_resume:
	ldr	x10, =el2_saved_sp
	ldr	x9, [x10]
	mov	sp, x9
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #96
	/*
	 * Still EL2h with DAIF masked, as set by the exception entry, which
	 * is the PSTATE the EL2 flow had before the eret.
	 */
	ret

/*
 * Vector tables: 16 entries of 0x80 bytes, table aligned to 2 KiB
 * (VBAR_ELx bits [10:0] are RES0).  Entry index = offset / 0x80:
 * 0-3 current EL with SP_EL0, 4-7 current EL with SP_ELx,
 * 8-11 lower EL AArch64, 12-15 lower EL AArch32; in each group
 * sync, IRQ, FIQ, SError.
 */
.macro	ventry	common, idx
	.balign	0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #\idx
	b	\common
.endm

.macro	save_rest
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	str	x30, [sp, #240]
.endm

.macro	restore_all_eret
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #240]
	ldp	x0, x1, [sp, #0]
	add	sp, sp, #FRAME_SIZE
	eret
.endm

	.balign	0x800
	.global	el2_vectors
el2_vectors:
	.irp	i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	ventry	el2_common, \i
	.endr

el2_common:
	save_rest
	mov	x1, sp
	/* int el2_trap(uint64_t idx, uint64_t *regs): nonzero = resume the EL2 flow */
	bl	el2_trap
	cbnz	w0, 1f
	restore_all_eret
1:	ldr	x0, [sp, #0]
	b	el2_resume

	.balign	0x800
	.global	el1_vectors
el1_vectors:
	.irp	i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	ventry	el1_common, \i
	.endr

el1_common:
	save_rest
	mov	x1, sp
	/* void el1_trap(uint64_t idx, uint64_t *regs) */
	bl	el1_trap
	restore_all_eret

	.ltorg
