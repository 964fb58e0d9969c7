/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AMD I/O Virtualization Technology (IOMMU) Specification (AMD pub. 48882)
 * as data: the MMIO register file (regs.h), the device table and its
 * 256-bit entries, GCR3 tables and the v1 page-table bits the driver sets
 * (tables.h), commands, event log and PPR log records (queues.h), and the
 * HW-vIOMMU's private address space and VF / VF-control MMIO (viommu.h).
 * Both the driver and the hardware model include this; neither includes
 * the other.
 */
#pragma once

#include "regs.h"
#include "tables.h"
#include "queues.h"
#include "viommu.h"
