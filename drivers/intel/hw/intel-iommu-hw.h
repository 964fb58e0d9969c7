/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intel VT-d (Intel Virtualization Technology for Directed I/O,
 * Architecture Specification) as data: the register file (regs.h), root,
 * context and PASID tables and the paging-entry bits the driver sets
 * (tables.h), invalidation descriptors, fault records, fault reasons and
 * page requests (queues.h). Both the driver and the hardware model include
 * this; neither includes the other.
 */
#pragma once

#include "regs.h"
#include "tables.h"
#include "queues.h"
