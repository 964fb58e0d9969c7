// SPDX-License-Identifier: GPL-2.0
/*
 * `uiommufd diff A B`: two --digest files (harness/server/digest.cc) lined
 * up step by step. Each file is replayed to the full state at every step;
 * the first step where the ioctl, its result or the state differ is
 * printed with what differs there: which item (object, pages, model),
 * which of its lines only one side has. Then how many later steps differ.
 *
 * Exit status: 0 the same, 1 different, 2 a file could not be read.
 */
#include "harness/cli/cli.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

struct item {
	std::string kind, hash;
	std::vector<std::string> lines;		/* "| field" and "> edge" lines, in order */
};

struct change {
	std::string key;
	bool removed = false;
	struct item item;
};

struct step {
	std::string what;			/* "IOMMU_IOAS_MAP = 0", "exit" */
	std::string state;			/* the state hash */
	std::vector<change> changes;
};

bool load(const std::string &path, std::vector<step> *steps, std::string *err)
{
	std::ifstream in(path);
	std::string line;
	unsigned long lineno = 0;

	if (!in) {
		*err = path + ": " + strerror(errno);
		return false;
	}
	if (!std::getline(in, line) || line != "uiommufd-digest 1") {
		*err = path + ":1: not a uiommufd digest (expected \"uiommufd-digest 1\")";
		return false;
	}
	lineno = 1;
	while (std::getline(in, line)) {
		lineno++;
		if (!line.compare(0, 5, "step ")) {
			size_t sp = line.find(' ', 5), st = line.rfind(" state ");

			if (sp == std::string::npos || st == std::string::npos || st < sp) {
				*err = path + ":" + std::to_string(lineno) + ": bad step line";
				return false;
			}
			steps->push_back({line.substr(sp + 1, st - sp - 1), line.substr(st + 7), {}});
			continue;
		}
		if (steps->empty() || line.size() < 2) {
			*err = path + ":" + std::to_string(lineno) + ": line outside a step";
			return false;
		}
		std::vector<change> &ch = steps->back().changes;

		switch (line[0]) {
		case '+': {
			/* "+ KEY KIND HASH" */
			size_t a = line.find(' ', 2), b = a == std::string::npos ? a : line.find(' ', a + 1);

			if (b == std::string::npos) {
				*err = path + ":" + std::to_string(lineno) + ": bad item line";
				return false;
			}
			change c;
			c.key = line.substr(2, a - 2);
			c.item.kind = line.substr(a + 1, b - a - 1);
			c.item.hash = line.substr(b + 1);
			ch.push_back(std::move(c));
			break;
		}
		case '-': {
			change c;
			c.key = line.substr(2);
			c.removed = true;
			ch.push_back(std::move(c));
			break;
		}
		case '|':
		case '>':
			if (ch.empty() || ch.back().removed) {
				*err = path + ":" + std::to_string(lineno) + ": a field outside an item";
				return false;
			}
			ch.back().item.lines.push_back(line);
			break;
		default:
			*err = path + ":" + std::to_string(lineno) + ": unknown line";
			return false;
		}
	}
	return true;
}

void replay_step(std::map<std::string, item> *state, const step &s)
{
	for (const change &c : s.changes) {
		if (c.removed)
			state->erase(c.key);
		else
			(*state)[c.key] = c.item;
	}
}

/* Lines of one item only one side has, in each side's order. */
void print_item_diff(const std::string &key, const item &a, const item &b)
{
	std::multiset<std::string> in_a(a.lines.begin(), a.lines.end());
	std::multiset<std::string> in_b(b.lines.begin(), b.lines.end());

	printf("  %s (%s) differs:\n", key.c_str(), a.kind.c_str());
	if (a.kind != b.kind)
		printf("    A is a %s, B a %s\n", a.kind.c_str(), b.kind.c_str());
	for (const std::string &l : a.lines) {
		auto it = in_b.find(l);

		if (it == in_b.end())
			printf("    A %s\n", l.c_str() + 2);
		else
			in_b.erase(it);
	}
	for (const std::string &l : b.lines) {
		auto it = in_a.find(l);

		if (it == in_a.end())
			printf("    B %s\n", l.c_str() + 2);
		else
			in_a.erase(it);
	}
}

void print_state_diff(const std::map<std::string, item> &a, const std::map<std::string, item> &b)
{
	for (const auto &it : a) {
		auto other = b.find(it.first);

		if (other == b.end())
			printf("  %s (%s) only in A\n", it.first.c_str(), it.second.kind.c_str());
		else if (other->second.hash != it.second.hash)
			print_item_diff(it.first, it.second, other->second);
	}
	for (const auto &it : b)
		if (!a.count(it.first))
			printf("  %s (%s) only in B\n", it.first.c_str(), it.second.kind.c_str());
}

} // namespace

int cli_diff(int argc, char **argv)
{
	std::vector<step> a, b;
	std::map<std::string, item> sa, sb;
	unsigned long first = 0, ndiff = 0;
	std::string err;
	size_t n;

	if (argc != 3 || argv[1][0] == '-') {
		fprintf(stderr, "usage: uiommufd diff DIGEST_A DIGEST_B\n"
				"  DIGEST_A, DIGEST_B: files `uiommufd run --digest` wrote\n");
		return 2;
	}
	if (!load(argv[1], &a, &err) || !load(argv[2], &b, &err)) {
		fprintf(stderr, "uiommufd diff: %s\n", err.c_str());
		return 2;
	}
	n = std::min(a.size(), b.size());
	for (size_t i = 0; i < n; i++) {
		replay_step(&sa, a[i]);
		replay_step(&sb, b[i]);
		if (a[i].what == b[i].what && a[i].state == b[i].state)
			continue;
		ndiff++;
		if (first)
			continue;
		first = i + 1;
		printf("A: %s\nB: %s\n", argv[1], argv[2]);
		if (a[i].what == b[i].what)
			printf("first difference at step %zu, %s:\n", i + 1, a[i].what.c_str());
		else
			printf("first difference at step %zu: A ran %s, B ran %s\n", i + 1,
			       a[i].what.c_str(), b[i].what.c_str());
		if (a[i].state != b[i].state)
			print_state_diff(sa, sb);
		else
			printf("  the state is the same after it\n");
	}
	if (!first && a.size() == b.size()) {
		printf("no difference in %zu steps\n", a.size());
		return 0;
	}
	if (!first) {
		const std::vector<step> &longer = a.size() > b.size() ? a : b;

		printf("A: %s\nB: %s\n", argv[1], argv[2]);
		printf("the first %zu steps are the same; %s goes on with step %zu, %s\n", n,
		       a.size() > b.size() ? "A" : "B", n + 1, longer[n].what.c_str());
	} else if (ndiff > 1) {
		printf("%lu of the %zu steps both have differ\n", ndiff, n);
	}
	if (a.size() != b.size())
		printf("A has %zu steps, B %zu\n", a.size(), b.size());
	return 1;
}
