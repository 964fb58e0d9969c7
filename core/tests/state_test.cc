// SPDX-License-Identifier: GPL-2.0
/*
 * State snapshots (core/state.h): a context built through the C API with
 * the selftest driver is described item by item, page-table images follow
 * the mappings by translation, snapshots stay out of fail-nth, and a
 * context's items reach the release hook before its objects go.
 */
#include "core_test.h"
#include "core/c_api.h"
#include "core/state.h"
#include "harness/fault_inject.h"

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

#define STATE_IOVA (1UL << 24)	/* the mock domain's aperture starts here */
#define STATE_NPAGES 4

struct state_env {
	int fd;
	u32 ioas_id, stdev_id, hwpt_id, idev_id;
	u8 *buf;
	std::string ctx;
};

static const struct state_item *find_item(const std::vector<struct state_item> &items,
					  const std::string &key)
{
	for (const struct state_item &item : items)
		if (item.key == key)
			return &item;
	return NULL;
}

static bool has_field(const struct state_item *item, const std::string &line)
{
	return item && std::find(item->fields.begin(), item->fields.end(), line) !=
			       item->fields.end();
}

static bool has_edge(const struct state_item *item, const std::string &what,
		     const std::string &to)
{
	return item && std::find(item->edges.begin(), item->edges.end(),
				 std::make_pair(what, to)) != item->edges.end();
}

/* The context this test opened: the last one the snapshot lists. */
static std::string last_ctx(const std::vector<struct state_item> &items)
{
	std::string ctx;

	for (const struct state_item &item : items)
		if (item.kind == "iommufd")
			ctx = item.key;
	return ctx;
}

static void env_open(struct kunit *test, struct state_env *env)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_test_cmd mock = { .size = sizeof(mock), .op = IOMMU_TEST_OP_MOCK_DOMAIN };
	std::vector<struct state_item> items;

	env->fd = iommufd_open(O_RDWR);
	KUNIT_ASSERT_GE(test, env->fd, 0);
	KUNIT_ASSERT_EQ(test, iommufd_ioctl(env->fd, IOMMU_IOAS_ALLOC, &alloc), 0);
	env->ioas_id = alloc.out_ioas_id;
	mock.id = env->ioas_id;
	KUNIT_ASSERT_EQ(test, iommufd_ioctl(env->fd, IOMMU_TEST_CMD, &mock), 0);
	env->stdev_id = mock.mock_domain.out_stdev_id;
	env->hwpt_id = mock.mock_domain.out_hwpt_id;
	env->idev_id = mock.mock_domain.out_idev_id;
	env->buf = (u8 *)test_alloc_buffer(test, STATE_NPAGES);
	iommufd_state_snapshot(&items);
	env->ctx = last_ctx(items);
	KUNIT_ASSERT_FALSE(test, env->ctx.empty());
}

static void env_close(struct state_env *env)
{
	iommufd_close(env->fd);
	munmap(env->buf, STATE_NPAGES * PAGE_SIZE);
}

static int map_at(struct state_env *env, void *uptr, unsigned long iova, unsigned long len)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = env->ioas_id,
		.user_va = (unsigned long)uptr,
		.length = len,
		.iova = iova,
	};

	return iommufd_ioctl(env->fd, IOMMU_IOAS_MAP, &map) ? -errno : 0;
}

static std::string key(const struct state_env *env, const char *kind, u32 id)
{
	return env->ctx + "/" + kind + std::to_string(id);
}

/* Objects, their fields and edges, as a selftest-sized program leaves them. */
static void objects_and_edges(struct kunit *test)
{
	struct state_env env;
	std::vector<struct state_item> items;
	const struct state_item *ioas, *hwpt, *dev, *ctx;
	char line[128];

	env_open(test, &env);
	KUNIT_ASSERT_EQ(test, map_at(&env, env.buf, STATE_IOVA, STATE_NPAGES * PAGE_SIZE), 0);
	iommufd_state_snapshot(&items);

	ctx = find_item(items, env.ctx);
	ioas = find_item(items, key(&env, "ioas", env.ioas_id));
	hwpt = find_item(items, key(&env, "hwpt", env.hwpt_id));
	dev = find_item(items, key(&env, "dev", env.idev_id));
	KUNIT_ASSERT_TRUE(test, ctx && ioas && hwpt && dev);
	KUNIT_EXPECT_EQ(test, ioas->kind, "ioas");
	KUNIT_EXPECT_EQ(test, hwpt->kind, "hwpt_paging");
	KUNIT_EXPECT_EQ(test, dev->kind, "device");
	KUNIT_EXPECT_EQ(test, ioas->owner, env.ctx);

	snprintf(line, sizeof(line), "area 0x%lx-0x%lx rw pages1+0x0", STATE_IOVA,
		 STATE_IOVA + STATE_NPAGES * PAGE_SIZE - 1);
	KUNIT_EXPECT_TRUE(test, has_field(ioas, line));
	KUNIT_EXPECT_TRUE(test, has_edge(ioas, "pages", "pages1"));
	KUNIT_EXPECT_TRUE(test, has_edge(hwpt, "ioas", ioas->key));
	KUNIT_EXPECT_TRUE(test, has_edge(dev, "attached", hwpt->key));
	KUNIT_EXPECT_TRUE(test, has_field(find_item(items, "pages1"),
					  "type user npages 4 writable 1 account_mode 0"));
	/* The domain translates the four pages to four distinct pages, in order. */
	snprintf(line, sizeof(line), "image 0x%lx-0x%lx -> page1..4", STATE_IOVA,
		 STATE_IOVA + STATE_NPAGES * PAGE_SIZE - 1);
	KUNIT_EXPECT_TRUE(test, has_field(hwpt, line));
	/* Nothing in a snapshot names an address that changes between runs. */
	for (const struct state_item &item : items)
		for (const std::string &f : item.fields)
			KUNIT_EXPECT_EQ_MSG(test, f.find("0x7f"), std::string::npos, "%s",
					    f.c_str());
	env_close(&env);
}

/*
 * The same buffer mapped at two IOVAs is the same pages in the image; the
 * hash of the IOAS and of the domain change with a mapping and come back
 * when it goes.
 */
static void image_follows_mappings(struct kunit *test)
{
	struct state_env env;
	std::vector<struct state_item> before, mapped, after;
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap) };
	const struct state_item *hwpt;
	char line[128];

	env_open(test, &env);
	KUNIT_ASSERT_EQ(test, map_at(&env, env.buf, STATE_IOVA, 2 * PAGE_SIZE), 0);
	iommufd_state_snapshot(&before);
	KUNIT_ASSERT_EQ(test, map_at(&env, env.buf, 2 * STATE_IOVA, 2 * PAGE_SIZE), 0);
	iommufd_state_snapshot(&mapped);
	hwpt = find_item(mapped, key(&env, "hwpt", env.hwpt_id));
	snprintf(line, sizeof(line), "image 0x%lx-0x%lx -> page1..2", STATE_IOVA,
		 STATE_IOVA + 2 * PAGE_SIZE - 1);
	KUNIT_EXPECT_TRUE(test, has_field(hwpt, line));
	snprintf(line, sizeof(line), "image 0x%lx-0x%lx -> page1..2", 2 * STATE_IOVA,
		 2 * STATE_IOVA + 2 * PAGE_SIZE - 1);
	KUNIT_EXPECT_TRUE(test, has_field(hwpt, line));
	KUNIT_EXPECT_NE(test, find_item(before, hwpt->key)->hash, hwpt->hash);

	unmap.ioas_id = env.ioas_id;
	unmap.iova = 2 * STATE_IOVA;
	unmap.length = 2 * PAGE_SIZE;
	KUNIT_ASSERT_EQ(test, iommufd_ioctl(env.fd, IOMMU_IOAS_UNMAP, &unmap), 0);
	iommufd_state_snapshot(&after);
	KUNIT_EXPECT_EQ(test, find_item(before, hwpt->key)->hash,
			find_item(after, hwpt->key)->hash);
	KUNIT_EXPECT_EQ(test, find_item(before, key(&env, "ioas", env.ioas_id))->hash,
			find_item(after, key(&env, "ioas", env.ioas_id))->hash);
	env_close(&env);
}

/* Taking a snapshot never consumes a fail-nth point. */
static void snapshot_is_not_an_injection_point(struct kunit *test)
{
	struct state_env env;
	std::vector<struct state_item> items;

	env_open(test, &env);
	KUNIT_ASSERT_EQ(test, map_at(&env, env.buf, STATE_IOVA, PAGE_SIZE), 0);
	fail_nth_write(3);
	iommufd_state_snapshot(&items);
	/* Every should_fail() call counts down; the snapshot made none. */
	KUNIT_EXPECT_EQ(test, fail_nth_read(), 3);
	fail_nth_write(0);
	KUNIT_EXPECT_FALSE(test, items.empty());
	env_close(&env);
}

static std::vector<struct state_item> *released;

static void capture(const std::vector<struct state_item> &items)
{
	released->insert(released->end(), items.begin(), items.end());
}

/* The release hook sees the whole context before its objects are destroyed. */
static void release_hook_sees_the_context(struct kunit *test)
{
	std::vector<struct state_item> got;
	struct state_env env;

	env_open(test, &env);
	KUNIT_ASSERT_EQ(test, map_at(&env, env.buf, STATE_IOVA, PAGE_SIZE), 0);
	released = &got;
	iommufd_state_release_hook = capture;
	env_close(&env);
	iommufd_state_release_hook = NULL;
	released = NULL;
	KUNIT_EXPECT_TRUE(test, find_item(got, env.ctx) != NULL);
	KUNIT_EXPECT_TRUE(test, find_item(got, key(&env, "ioas", env.ioas_id)) != NULL);
	KUNIT_EXPECT_TRUE(test, find_item(got, key(&env, "dev", env.idev_id)) != NULL);
}

static struct kunit_case state_cases[] = {
	KUNIT_CASE(objects_and_edges),
	KUNIT_CASE(image_follows_mappings),
	KUNIT_CASE(snapshot_is_not_an_injection_point),
	KUNIT_CASE(release_hook_sees_the_context),
	{}
};

static struct kunit_suite state_suite = {
	.name = "core-state",
	.test_cases = state_cases,
};
kunit_test_suite(state_suite);
