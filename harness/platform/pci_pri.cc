// SPDX-License-Identifier: GPL-2.0
/*
 * Page Request Interface messages to functions (pci_pri.h): a registry of
 * receivers by function. Few functions register and deliveries are rare
 * (one per refused DMA of a PRI function and one per response), so one
 * lock over a map is enough.
 */
#include "harness/platform/pci_pri.h"

#include <map>
#include <mutex>

namespace {

std::mutex pri_lock;
std::map<struct pci_func *, pci_pri_receiver_t> *pri_receivers;

} // namespace

void pci_pri_set_receiver(struct pci_func *f, pci_pri_receiver_t fn)
{
	std::lock_guard<std::mutex> g(pri_lock);

	/* Allocated on first use and kept: no static destructor races a late delivery at exit. */
	if (!pri_receivers)
		pri_receivers = new std::map<struct pci_func *, pci_pri_receiver_t>;
	if (fn)
		(*pri_receivers)[f] = fn;
	else
		pri_receivers->erase(f);
}

bool pci_pri_deliver(struct pci_func *f, const struct pci_pri_msg *msg)
{
	std::lock_guard<std::mutex> g(pri_lock);

	if (!pri_receivers)
		return false;
	auto it = pri_receivers->find(f);
	if (it == pri_receivers->end())
		return false;
	it->second(f, msg);
	return true;
}

struct pci_pri_msg pci_prg_send(struct pci_prg_tracker *t, struct pci_func *f, u32 requester,
				u32 pasid, bool has_pasid, u64 addr, bool write, u16 index_mask)
{
	struct pci_pri_msg sent = {};

	sent.type = PCI_PRI_PAGE_REQUEST;
	sent.pasid = has_pasid ? pasid : 0;
	sent.has_pasid = has_pasid;
	sent.addr = addr;
	sent.write = write;
	{
		std::lock_guard<std::mutex> l(t->lock);

		sent.prg_index = t->next_index++ & index_mask;
		t->sent[{ requester, sent.prg_index }] = sent;
	}
	pci_pri_deliver(f, &sent);
	return sent;
}

void pci_prg_respond(struct pci_prg_tracker *t, struct pci_func *f, u32 requester, u16 index,
		     u8 code)
{
	struct pci_pri_msg msg;

	{
		std::lock_guard<std::mutex> l(t->lock);
		auto it = t->sent.find({ requester, index });

		if (it == t->sent.end())
			return;	/* a response to nothing the function asked: dropped */
		msg = it->second;
		t->sent.erase(it);
	}
	if (!f)
		return;
	msg.type = PCI_PRI_PRG_RESPONSE;
	msg.code = code;
	pci_pri_deliver(f, &msg);
}
