// SPDX-License-Identifier: GPL-2.0
/*
 * --digest and --graph: the machine's observable state (core/state.h,
 * reached through the server config's state_snapshot),
 * step by step and as a picture.
 *
 * The digest is a text file. After each ioctl the server answers, and once
 * at exit, it takes a snapshot and writes a step: the ioctl, its result,
 * a hash of the whole state, then every item that is new or changed since
 * the step before (all its lines) and every item gone:
 *
 *   uiommufd-digest 1
 *   step 3 IOMMU_IOAS_MAP = 0 state 5d1c0e4b9a7f3312
 *   + ctx1/ioas1 ioas 0e21d0f7a9c4b611
 *   | area 0x100000-0x13ffff rw pages1+0x0
 *   > pages pages1
 *   - ctx1/access4
 *
 * So a file replays to the full state at any step, and `uiommufd diff`
 * (harness/cli/diff.cc) compares two runs step by step. Steps are taken
 * one ioctl at a time: with a digest or graph kept, ioctls are serialized.
 *
 * The graph is DOT: a cluster per context, each as it was when it was
 * released (a program that exits without closing its fd is captured at
 * exit), plus the contexts still open and the machine's models when the
 * file is written: at exit, and whenever the server gets SIGUSR1.
 */
#include "harness/server/server_internal.h"

#include "harness/state.h"

#include <algorithm>
#include <csignal>
#include <map>
#include <thread>
#include <xxhash.h>

namespace {

std::mutex state_lock;			/* one ioctl, one snapshot at a time */
FILE *digest_file;
unsigned long digest_step;
std::map<std::string, struct state_item> digest_prev;

std::mutex graph_lock;
std::vector<struct state_item> graph_released;	/* contexts gone, as they were */
std::thread graph_thread;
bool graph_thread_started;

u64 state_hash(const std::map<std::string, struct state_item> &items)
{
	XXH3_state_t *st = XXH3_createState();
	u64 h;

	XXH3_64bits_reset(st);
	for (const auto &it : items) {
		XXH3_64bits_update(st, it.first.data(), it.first.size() + 1);
		XXH3_64bits_update(st, &it.second.hash, sizeof(it.second.hash));
	}
	h = XXH3_64bits_digest(st);
	XXH3_freeState(st);
	return h;
}

void write_item(FILE *f, const struct state_item &item)
{
	fprintf(f, "+ %s %s %016llx\n", item.key.c_str(), item.kind.c_str(),
		(unsigned long long)item.hash);
	for (const std::string &line : item.fields)
		fprintf(f, "| %s\n", line.c_str());
	for (const auto &e : item.edges)
		fprintf(f, "> %s %s\n", e.first.c_str(), e.second.c_str());
}

void digest_write_step(const std::string &what)
{
	std::vector<struct state_item> items;
	std::map<std::string, struct state_item> now;

	ufd_cfg->state_snapshot(&items);
	for (struct state_item &item : items)
		now[item.key] = std::move(item);
	fprintf(digest_file, "step %lu %s state %016llx\n", ++digest_step, what.c_str(),
		(unsigned long long)state_hash(now));
	for (const auto &it : now) {
		auto old = digest_prev.find(it.first);

		if (old == digest_prev.end() || old->second.hash != it.second.hash)
			write_item(digest_file, it.second);
	}
	for (const auto &it : digest_prev)
		if (!now.count(it.first))
			fprintf(digest_file, "- %s\n", it.first.c_str());
	fflush(digest_file);
	digest_prev = std::move(now);
}

/* A DOT identifier for any key. */
std::string dot_id(const std::string &key)
{
	std::string id = "\"";

	for (char c : key)
		id += c == '"' ? '\'' : c;
	return id + "\"";
}

/* Long area lists are what make graphs unreadable: the first few, then a count. */
std::string dot_label(const struct state_item &item)
{
	constexpr size_t max_lines = 6;
	std::string label = item.label.empty() ? item.key : item.label;
	size_t shown = 0, areas = 0, images = 0;

	for (const std::string &line : item.fields) {
		bool is_area = !line.compare(0, 5, "area "), is_image = !line.compare(0, 6, "image ");

		areas += is_area;
		images += is_image;
		if ((is_area && areas > 3) || (is_image && images > 3) || shown >= max_lines)
			continue;
		label += "\\l" + line;
		shown++;
	}
	if (areas > 3)
		label += "\\l... " + std::to_string(areas) + " areas in all";
	if (images > 3)
		label += "\\l... " + std::to_string(images) + " image runs in all";
	std::replace(label.begin(), label.end(), '"', '\'');
	return label + "\\l";
}

const char *dot_shape(const std::string &kind)
{
	if (kind == "iommufd")
		return "folder";
	if (kind == "ioas" || kind == "iopt_pages")
		return "box3d";
	if (kind == "device" || kind == "pci_func")
		return "component";
	if (kind == "iommu")
		return "cylinder";
	return "box";
}

void graph_write(const std::string &path)
{
	std::vector<struct state_item> live;
	std::map<std::string, std::vector<const struct state_item *>> clusters;
	std::vector<const struct state_item *> all;
	FILE *f;

	ufd_cfg->state_snapshot(&live);
	std::lock_guard<std::mutex> g(graph_lock);
	for (const struct state_item &item : graph_released)
		all.push_back(&item);
	for (const struct state_item &item : live)
		all.push_back(&item);

	f = fopen(path.c_str(), "w");
	if (!f) {
		fprintf(stderr, "uiommufd: --graph %s: %s\n", path.c_str(), strerror(errno));
		return;
	}
	fprintf(f, "digraph uiommufd {\n\trankdir=LR;\n\tcompound=true;\n"
		   "\tnode [fontname=\"monospace\", fontsize=9];\n"
		   "\tedge [fontname=\"monospace\", fontsize=8];\n");
	for (const struct state_item *item : all) {
		std::string owner = item->kind == "iommufd" ? item->key : item->owner;

		clusters[owner].push_back(item);
	}
	for (const auto &c : clusters) {
		if (!c.first.empty())
			fprintf(f, "\tsubgraph %s {\n\t\tlabel=%s;\n\t\tstyle=rounded;\n",
				dot_id("cluster_" + c.first).c_str(), dot_id(c.first).c_str());
		for (const struct state_item *item : c.second)
			fprintf(f, "\t\t%s [shape=%s, label=\"%s\"];\n", dot_id(item->key).c_str(),
				dot_shape(item->kind), dot_label(*item).c_str());
		if (!c.first.empty())
			fprintf(f, "\t}\n");
	}
	for (const struct state_item *item : all)
		for (const auto &e : item->edges)
			fprintf(f, "\t%s -> %s [label=%s];\n", dot_id(item->key).c_str(),
				dot_id(e.second).c_str(), dot_id(e.first).c_str());
	/* Each object hangs off its context, so a cluster reads from its iommufd. */
	for (const struct state_item *item : all)
		if (!item->owner.empty())
			fprintf(f, "\t%s -> %s [style=dotted, arrowhead=none];\n",
				dot_id(item->owner).c_str(), dot_id(item->key).c_str());
	fprintf(f, "}\n");
	fclose(f);
}

void graph_capture(const std::vector<struct state_item> &items)
{
	std::lock_guard<std::mutex> g(graph_lock);

	graph_released.insert(graph_released.end(), items.begin(), items.end());
}

} // namespace

int ufd_state_init(void)
{
	if ((!ufd_cfg->digest_path.empty() || !ufd_cfg->graph_path.empty()) &&
	    (!ufd_cfg->state_snapshot || !ufd_cfg->state_release_hook))
		return -EOPNOTSUPP;
	if (!ufd_cfg->digest_path.empty()) {
		digest_file = fopen(ufd_cfg->digest_path.c_str(), "w");
		if (!digest_file)
			return -errno;
		fprintf(digest_file, "uiommufd-digest 1\n");
		fflush(digest_file);
	}
	if (!ufd_cfg->graph_path.empty()) {
		sigset_t set;

		*ufd_cfg->state_release_hook = graph_capture;
		/*
		 * SIGUSR1 writes the graph now. The caller blocked it before any
		 * thread started, so only this one takes it.
		 */
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		graph_thread = std::thread([set] {
			int sig;

			while (!sigwait(&set, &sig)) {
				if (sig != SIGUSR1)
					continue;
				if (!ufd_cfg || ufd_cfg->graph_path.empty())
					return;
				std::lock_guard<std::mutex> g(state_lock);

				graph_write(ufd_cfg->graph_path);
			}
		});
		graph_thread.detach();
		graph_thread_started = true;
	}
	return 0;
}

void ufd_state_ioctl_begin(void)
{
	state_lock.lock();
}

void ufd_state_ioctl_end(unsigned long cmd, unsigned long arg, long ret)
{
	if (digest_file) {
		char res[64];

		if (ret < 0)
			snprintf(res, sizeof(res), " = -1 %s", ufd_errno_name((int)-ret));
		else
			snprintf(res, sizeof(res), " = %ld", ret);
		digest_write_step(ufd_ioctl_step_name(cmd, arg) + res);
	}
	state_lock.unlock();
}

void ufd_state_mark(const char *text)
{
	std::lock_guard<std::mutex> g(state_lock);
	std::string what = "mark";

	if (!digest_file)
		return;
	/* One line of printable text, whatever the program wrote. */
	for (const char *c = text; *c && *c != '\n'; c++) {
		if (what.size() == 4)
			what += ' ';
		what += (*c >= 0x20 && *c < 0x7f) ? *c : '?';
	}
	digest_write_step(what);
}

void ufd_state_exit(void)
{
	std::lock_guard<std::mutex> g(state_lock);

	if (digest_file) {
		digest_write_step("exit");
		fclose(digest_file);
		digest_file = nullptr;
	}
	if (graph_thread_started) {
		graph_write(ufd_cfg->graph_path);
		*ufd_cfg->state_release_hook = nullptr;
	}
}
