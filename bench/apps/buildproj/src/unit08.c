// SPDX-License-Identifier: GPL-2.0
/* One of forkbench build's compilation units: a little arithmetic. */
unsigned long unit08(unsigned long x);

unsigned long unit08(unsigned long x)
{
	unsigned long h = x ^ 8UL;
	int k;

	for (k = 0; k < 8; k++)
		h = h * 1099511628211UL + (unsigned long)k;
	return h;
}
