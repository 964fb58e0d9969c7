/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page Request Interface messages between a PCI function and the IOMMU
 * that serves it.
 *
 * On PCIe a function with ATS and PRI learns that a translation is
 * missing, sends a Page Request message, and waits for the PRG Response
 * before it retries. The IOMMU models here answer a DMA directly (struct
 * pci_dma_port translates and refuses in one step), so the IOMMU side
 * sends the page request on the function's behalf and tells the function
 * it did; the response, when the host gives one, comes back the same way.
 *
 * A function kind that waits for responses registers a receiver; the
 * IOMMU side calls pci_pri_deliver() for each message. The receiver is
 * called with the registry's lock held and may be called from any thread,
 * with the IOMMU's and iommufd's locks held (a response is written to the
 * fault queue's file, or answered at once inside the function's own DMA):
 * it must only take locks of its own that nothing else nests under, and
 * do the DMA a response allows later, from its own context. Removing the
 * receiver waits for a delivery in progress, so a kind removes it before
 * freeing what the receiver touches.
 *
 * The receiver belongs in struct pci_func_ops; it is kept apart so
 * pci.h stays as it is until that move.
 */
#pragma once

#include "harness/platform/pci.h"

#include <map>
#include <mutex>

enum pci_pri_msg_type {
	/* The IOMMU sent a Page Request for the function's refused access. */
	PCI_PRI_PAGE_REQUEST = 1,
	/* The PRG Response to one of them. */
	PCI_PRI_PRG_RESPONSE,
};

/* PRG Response codes, as PCIe encodes them. */
#define PCI_PRG_RESP_SUCCESS	0x0
#define PCI_PRG_RESP_INVALID	0x1
#define PCI_PRG_RESP_FAILURE	0xf

struct pci_pri_msg {
	enum pci_pri_msg_type type;
	u32 pasid;
	bool has_pasid;
	u16 prg_index;
	/* The page asked for (page-aligned) and whether it was for a write. */
	u64 addr;
	bool write;
	/* PCI_PRG_RESP_*, for a response. */
	u8 code;
};

typedef void (*pci_pri_receiver_t)(struct pci_func *f, const struct pci_pri_msg *msg);

/* @fn receives @f's messages from now on; NULL removes it (waiting for a delivery in progress). */
void pci_pri_set_receiver(struct pci_func *f, pci_pri_receiver_t fn);
/* Hands @msg to @f's receiver. false: @f has none, nobody is told. */
bool pci_pri_deliver(struct pci_func *f, const struct pci_pri_msg *msg);

/*
 * The page requests an IOMMU model sent on its functions' behalf and not
 * yet answered, keyed by requester (RID, StreamID, DeviceID) and PRG
 * index, the index handed out here. Every IOMMU kind with PRI keeps one:
 * a response for nothing outstanding is dropped, as a function would.
 */
struct pci_prg_tracker {
	std::mutex lock;
	std::map<std::pair<u32, u16>, struct pci_pri_msg> sent;
	u16 next_index;
};

/*
 * Sends @f a Page Request for its refused access at @addr (page-aligned by
 * the caller) and records it under @requester with the next PRG index
 * (masked with @index_mask); returns the message, index set. The function
 * hears of it before the IOMMU does: an answer may come back within the
 * request.
 */
struct pci_pri_msg pci_prg_send(struct pci_prg_tracker *t, struct pci_func *f, u32 requester,
				u32 pasid, bool has_pasid, u64 addr, bool write, u16 index_mask);
/*
 * The response for @requester's PRG @index, with @code (PCI_PRG_RESP_*):
 * delivered to @f (which may be NULL: the function went away) if the
 * request is outstanding, dropped otherwise.
 */
void pci_prg_respond(struct pci_prg_tracker *t, struct pci_func *f, u32 requester, u16 index,
		     u8 code);
