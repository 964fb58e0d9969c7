// SPDX-License-Identifier: GPL-2.0
/*
 * The slow path of refcount_t: report the misuse and saturate.
 *
 * Saturating rather than wrapping turns a would-be use-after-free into a
 * leak, which the leak checker then reports as well; the WARN here says
 * where the count went wrong.
 */
#include "harness/refcount.h"

#include <cstdio>

void refcount_warn_saturate(refcount_t *r, enum refcount_saturation_type t)
{
	const char *why = "saturated";

	atomic_set(&r->refs, REFCOUNT_SATURATED);
	switch (t) {
	case REFCOUNT_ADD_NOT_ZERO_OVF:
		why = "saturated; leaking memory";
		break;
	case REFCOUNT_ADD_OVF:
		why = "saturated; leaking memory";
		break;
	case REFCOUNT_ADD_UAF:
		why = "addition on 0; use-after-free";
		break;
	case REFCOUNT_SUB_UAF:
		why = "underflow; use-after-free";
		break;
	case REFCOUNT_DEC_LEAK:
		why = "decrement hit 0; leaking memory";
		break;
	}
	char msg[96];

	snprintf(msg, sizeof(msg), "refcount_t %p: %s", (void *)r, why);
	__warn(__FILE__, __LINE__, msg);
}
