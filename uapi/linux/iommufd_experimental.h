/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Experimental iommufd uAPI: ioctls, structs and flags uiommufd offers that
 * upstream Linux does not have (yet).
 *
 * The rule (see Documentation/uapi.md): nothing that is not upstream goes
 * into linux/iommufd.h, linux/iommufd_test.h or linux/vfio.h. It goes here,
 * and experimental ioctl numbers start at IOMMUFD_CMD_EXPERIMENTAL_BASE, far
 * above upstream's range (0x80 onwards, which grows one number per new
 * ioctl) and the mock driver's IOMMU_TEST_CMD (0xa0). A future upstream
 * ioctl can therefore never be mistaken for an experimental one, and a
 * program built against upstream headers never reaches experimental code by
 * accident. When an experiment is accepted upstream, it moves to
 * linux/iommufd.h under its upstream number and its row goes into
 * uapi/abi/iommufd-abi.tsv; the experimental number is retired, not reused.
 *
 * Experimental structs follow the upstream conventions: first __u32 is
 * size, __reserved fields must be zero, fields only ever appended.
 */
#ifndef _UAPI_IOMMUFD_EXPERIMENTAL_H
#define _UAPI_IOMMUFD_EXPERIMENTAL_H

#include <linux/iommufd.h>

enum {
	/* First experimental number; ioctls are _IO(IOMMUFD_TYPE, n >= this). */
	IOMMUFD_CMD_EXPERIMENTAL_BASE = 0xc0,
};

#endif /* _UAPI_IOMMUFD_EXPERIMENTAL_H */
