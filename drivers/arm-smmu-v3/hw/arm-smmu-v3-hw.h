/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ARM SMMUv3 architecture (IHI 0070) as data: registers (regs.h),
 * stream table and context descriptors (tables.h), command, event and PRI
 * queue entries (queues.h). Both the driver and the hardware model include
 * this; neither includes the other.
 */
#pragma once

#include "regs.h"
#include "tables.h"
#include "queues.h"
