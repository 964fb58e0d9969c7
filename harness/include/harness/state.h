/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a user or the hardware can observe of the machine, as a list of
 * items: every iommufd object of every open context, every IOMMU model,
 * every device model. Each item is text a reviewer reads ("field value"
 * lines) plus edges to other items, and a hash of both.
 *
 * Two runs of the same program on two builds give the same items where the
 * builds behave the same, so the items name nothing that varies between
 * runs: no kernel or user addresses, no physical addresses. Contexts are
 * numbered in the order they were opened, objects by their IDs, iopt_pages
 * in the order a snapshot first meets them, and a domain's page table is
 * described by what it translates, checked against the IOAS it mirrors.
 *
 * The uses: `uiommufd run --digest` (a digest per ioctl; `uiommufd diff`
 * lines two of them up) and `uiommufd run --graph` (the object graph as DOT).
 */
#pragma once

#include "harness/kernel.h"

#include <string>
#include <utility>
#include <vector>

/* The snapshot itself is the core's: core/state.h. */
struct state_item {
	/* Unique and stable: "ctx1/ioas2", "iommu0", "0000:00:03.0". */
	std::string key;
	/* "ioas", "hwpt_paging", "device", ...: the object family. */
	std::string kind;
	/* Who owns it: "ctx1" for an object of context 1, "" for the machine's. */
	std::string owner;
	/* One line for a graph node. */
	std::string label;
	/* "name value" lines, in a fixed order. */
	std::vector<std::string> fields;
	/* (what, key of the target), e.g. ("ioas", "ctx1/ioas2"). */
	std::vector<std::pair<std::string, std::string>> edges;
	/* XXH3 of kind, fields and edges; state_item_seal() sets it. */
	u64 hash = 0;
};

void state_item_field(struct state_item *item, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void state_item_seal(struct state_item *item);
/* Cache entries a model lists in its digest item before "... N more". */
#define STATE_CACHE_LINES_MAX 64
/* @line as a field of the state_item @item: a callback for a model's describers. */
void state_item_add_line(void *item, const char *line);
