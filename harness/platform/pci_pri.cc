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
