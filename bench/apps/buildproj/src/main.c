// SPDX-License-Identifier: GPL-2.0
/* forkbench build's program: calls the first NUNITS units (the Makefile's
 * UNITS) and prints a hash of what they return. */
#if defined(__has_include)
#if __has_include("config.h")
#include "config.h"
#endif
#endif
#include <stdio.h>

#ifndef NSOURCES
#define NSOURCES 0
#endif
#ifndef NUNITS
#define NUNITS 23
#endif

unsigned long unit01(unsigned long x);
unsigned long unit02(unsigned long x);
unsigned long unit03(unsigned long x);
unsigned long unit04(unsigned long x);
unsigned long unit05(unsigned long x);
unsigned long unit06(unsigned long x);
unsigned long unit07(unsigned long x);
unsigned long unit08(unsigned long x);
unsigned long unit09(unsigned long x);
unsigned long unit10(unsigned long x);
unsigned long unit11(unsigned long x);
unsigned long unit12(unsigned long x);
unsigned long unit13(unsigned long x);
unsigned long unit14(unsigned long x);
unsigned long unit15(unsigned long x);
unsigned long unit16(unsigned long x);
unsigned long unit17(unsigned long x);
unsigned long unit18(unsigned long x);
unsigned long unit19(unsigned long x);
unsigned long unit20(unsigned long x);
unsigned long unit21(unsigned long x);
unsigned long unit22(unsigned long x);
unsigned long unit23(unsigned long x);

int main(void)
{
	unsigned long h = NSOURCES;

#if NUNITS >= 1
	h = unit01(h);
#endif
#if NUNITS >= 2
	h = unit02(h);
#endif
#if NUNITS >= 3
	h = unit03(h);
#endif
#if NUNITS >= 4
	h = unit04(h);
#endif
#if NUNITS >= 5
	h = unit05(h);
#endif
#if NUNITS >= 6
	h = unit06(h);
#endif
#if NUNITS >= 7
	h = unit07(h);
#endif
#if NUNITS >= 8
	h = unit08(h);
#endif
#if NUNITS >= 9
	h = unit09(h);
#endif
#if NUNITS >= 10
	h = unit10(h);
#endif
#if NUNITS >= 11
	h = unit11(h);
#endif
#if NUNITS >= 12
	h = unit12(h);
#endif
#if NUNITS >= 13
	h = unit13(h);
#endif
#if NUNITS >= 14
	h = unit14(h);
#endif
#if NUNITS >= 15
	h = unit15(h);
#endif
#if NUNITS >= 16
	h = unit16(h);
#endif
#if NUNITS >= 17
	h = unit17(h);
#endif
#if NUNITS >= 18
	h = unit18(h);
#endif
#if NUNITS >= 19
	h = unit19(h);
#endif
#if NUNITS >= 20
	h = unit20(h);
#endif
#if NUNITS >= 21
	h = unit21(h);
#endif
#if NUNITS >= 22
	h = unit22(h);
#endif
#if NUNITS >= 23
	h = unit23(h);
#endif
	printf("%lx\n", h);
	return 0;
}
