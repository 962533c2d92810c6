// SPDX-License-Identifier: GPL-2.0
/*
 * forkmode-exit - the smallest exec target: _exit(0) with no C library,
 * so that exec'ing it takes no write fault and leaves /proc/vmstat's
 * pgreuse and cow_fault_copy alone.  Built with -nostdlib -static.
 */
#if defined(__x86_64__)
__asm__(".globl _start\n"
	"_start:\n\t"
	"mov $60, %eax\n\t"
	"xor %edi, %edi\n\t"
	"syscall\n\t"
	"ud2\n");
#else
#error "forkmode-exit: x86-64 only"
#endif
