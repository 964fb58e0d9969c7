/* SPDX-License-Identifier: GPL-2.0 */
/*
 * struct iova_bitmap: a user bitmap of dirty IOVA (include/linux/iova_bitmap.h).
 *
 * Bit i of the user bitmap (read as little-endian u64 words, so byte i / 8,
 * bit i % 8) stands for IOVA iova + i * page_size. Drivers only call
 * iova_bitmap_set() (declared in core/iommu.h, through
 * iommu_dirty_bitmap_record()); iommufd walks the bitmap with
 * iova_bitmap_for_each(), one window at a time.
 */
#pragma once

#include "harness/kernel.h"

struct iova_bitmap;

typedef int (*iova_bitmap_fn_t)(struct iova_bitmap *bitmap, unsigned long iova,
				size_t length, void *opaque);

struct iova_bitmap *iova_bitmap_alloc(unsigned long iova, size_t length,
				      unsigned long page_size, u64 __user *data);
void iova_bitmap_free(struct iova_bitmap *bitmap);
int iova_bitmap_for_each(struct iova_bitmap *bitmap, void *opaque, iova_bitmap_fn_t fn);
void iova_bitmap_set(struct iova_bitmap *bitmap, unsigned long iova, size_t length);
