/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Snapshots of the machine's observable state (harness/state.h): what
 * `uiommufd run --digest` and `--graph` are made of.
 */
#pragma once

#include "harness/state.h"

/*
 * Appends the whole machine's items to @out: each open context and its
 * objects, then each IOMMU and device model that describes itself
 * (platform kinds' ->describe). The caller keeps ioctls from running
 * meanwhile (the digest takes its snapshot between two requests); object
 * lifetimes are honoured regardless. Uses no fault-injection point.
 */
void iommufd_state_snapshot(std::vector<struct state_item> *out);

/*
 * Called with a context's items just before its objects are destroyed on
 * the last close (the graph of a program that never closes its fd is its
 * state at exit). NULL: nothing is captured.
 */
extern void (*iommufd_state_release_hook)(const std::vector<struct state_item> &items);

/* core/main.cc: walks every open context in the order they were opened. */
struct iommufd_ctx;
void iommufd_for_each_ctx(void (*fn)(struct iommufd_ctx *ictx, u64 seq, void *arg), void *arg);
