// SPDX-License-Identifier: GPL-2.0
/*
 * Fail-nth sweeps over the event ioctls: IOMMU_FAULT_QUEUE_ALLOC (and an
 * HWPT using the queue), I/O page fault delivery and the page response
 * write, IOMMU_VEVENTQ_ALLOC and vIOMMU event delivery.
 *
 * Same scheme as failnth_sweep.cc: fresh context, fail-nth armed with
 * n = 1, 2, ..., the sequence, then a follow-up that must work, the
 * allowed errnos, no tripwire, and no allocation left once every file
 * (the queue fds included) is closed.
 */
#include "failnth.h"
#include "kunit.h"

#include "core/c_api.h"
#include "harness/fault_inject.h"
#include "harness/slab.h"
#include "harness/testhooks.h"

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace {

constexpr unsigned int max_points = 20000;

struct ev_ctx {
	int fd = -1;
	u32 ioas = 0;
	u32 stdev = 0;
	u32 idev = 0;
	u32 parent = 0;
	u32 viommu = 0;
	u32 nested = 0;
	u32 fault_id = 0;
	int fault_fd = -1;
	u32 iopf_hwpt = 0;
	u32 veventq_id = 0;
	int veventq_fd = -1;
};

int fault_alloc(ev_ctx *c)
{
	struct iommu_fault_alloc cmd = { .size = sizeof(cmd) };
	int rc = uioctl(c->fd, IOMMU_FAULT_QUEUE_ALLOC, &cmd);

	if (!rc) {
		c->fault_id = cmd.out_fault_id;
		c->fault_fd = (int)cmd.out_fault_fd;
	}
	return rc;
}

int hwpt_alloc(ev_ctx *c, u32 pt, u32 flags, u32 fault_id, u32 data_type, void *data,
	       u32 data_len, u32 *out)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = c->idev,
		.pt_id = pt,
		.data_type = data_type,
		.data_len = data_len,
		.data_uptr = (uintptr_t)data,
		.fault_id = fault_id,
	};
	int rc = uioctl(c->fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc)
		*out = cmd.out_hwpt_id;
	return rc;
}

int mock_replace(ev_ctx *c, u32 pt)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, .id = c->stdev };

	cmd.mock_domain_replace.pt_id = pt;
	return test_cmd(c->fd, &cmd);
}

int trigger_iopf(ev_ctx *c, u32 grpid)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_TRIGGER_IOPF };

	cmd.trigger_iopf.dev_id = c->idev;
	cmd.trigger_iopf.grpid = grpid;
	cmd.trigger_iopf.perm = IOMMU_PGFAULT_PERM_READ;
	cmd.trigger_iopf.addr = 0x1000 * (grpid + 1);
	return test_cmd(c->fd, &cmd);
}

int trigger_vevent(ev_ctx *c)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_TRIGGER_VEVENT };

	cmd.trigger_vevent.dev_id = c->idev;
	return test_cmd(c->fd, &cmd);
}

int veventq_alloc(ev_ctx *c)
{
	struct iommu_veventq_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = c->viommu,
		.type = IOMMU_VEVENTQ_TYPE_SELFTEST,
		.veventq_depth = 8,
	};
	int rc = uioctl(c->fd, IOMMU_VEVENTQ_ALLOC, &cmd);

	if (!rc) {
		c->veventq_id = cmd.out_veventq_id;
		c->veventq_fd = (int)cmd.out_veventq_fd;
	}
	return rc;
}

bool readable(int qfd)
{
	struct pollfd pfd = { .fd = qfd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

/*
 * Read every pending fault and answer it. Returns 0, the errno of a
 * refused answer, or ENODATA if @want_grpid (>= 0) was not among them.
 */
int answer_all(ev_ctx *c, int want_grpid)
{
	struct iommu_hwpt_pgfault f;
	bool seen = false;

	while (readable(c->fault_fd)) {
		struct iommu_hwpt_page_response resp = {};

		if (read(c->fault_fd, &f, sizeof(f)) != (ssize_t)sizeof(f))
			return EIO;
		if ((int)f.grpid == want_grpid)
			seen = true;
		resp.cookie = f.cookie;
		resp.code = IOMMUFD_PAGE_RESP_SUCCESS;
		if (iommufd_write(c->fault_fd, &resp, sizeof(resp)) != (long)sizeof(resp))
			return errno;
	}
	return want_grpid < 0 || seen ? 0 : ENODATA;
}

int setup_domain(ev_ctx *c)
{
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct iommu_test_cmd md = { .op = IOMMU_TEST_OP_MOCK_DOMAIN };

	c->fd = iommufd_open(O_RDWR);
	if (c->fd < 0)
		return errno;
	FAILNTH_TRY(uioctl(c->fd, IOMMU_IOAS_ALLOC, &ioas));
	c->ioas = ioas.out_ioas_id;
	md.id = c->ioas;
	FAILNTH_TRY(test_cmd(c->fd, &md));
	c->stdev = md.mock_domain.out_stdev_id;
	c->idev = md.mock_domain.out_idev_id;
	return 0;
}

int setup_iopf(ev_ctx *c)
{
	FAILNTH_TRY(setup_domain(c));
	FAILNTH_TRY(fault_alloc(c));
	FAILNTH_TRY(hwpt_alloc(c, c->ioas, IOMMU_HWPT_FAULT_ID_VALID, c->fault_id,
			       IOMMU_HWPT_DATA_NONE, NULL, 0, &c->iopf_hwpt));
	return mock_replace(c, c->iopf_hwpt);
}

int setup_viommu(ev_ctx *c)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_viommu_alloc viommu = {
		.size = sizeof(viommu),
		.type = IOMMU_VIOMMU_TYPE_SELFTEST,
	};
	struct iommu_vdevice_alloc vdev = { .size = sizeof(vdev), .virt_id = 0x42 };

	FAILNTH_TRY(setup_domain(c));
	FAILNTH_TRY(hwpt_alloc(c, c->ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, 0, IOMMU_HWPT_DATA_NONE,
			       NULL, 0, &c->parent));
	viommu.dev_id = c->idev;
	viommu.hwpt_id = c->parent;
	FAILNTH_TRY(uioctl(c->fd, IOMMU_VIOMMU_ALLOC, &viommu));
	c->viommu = viommu.out_viommu_id;
	vdev.viommu_id = c->viommu;
	vdev.dev_id = c->idev;
	FAILNTH_TRY(uioctl(c->fd, IOMMU_VDEVICE_ALLOC, &vdev));
	FAILNTH_TRY(hwpt_alloc(c, c->viommu, 0, 0, IOMMU_HWPT_DATA_SELFTEST, &data, sizeof(data),
			       &c->nested));
	return mock_replace(c, c->nested);
}

void teardown(ev_ctx *c)
{
	if (c->fault_fd >= 0)
		iommufd_close(c->fault_fd);
	if (c->veventq_fd >= 0)
		iommufd_close(c->veventq_fd);
	if (c->fd >= 0)
		iommufd_close(c->fd);
}

struct sweep {
	const char *name;
	int (*setup)(ev_ctx *c);
	int (*run)(ev_ctx *c);
	int (*verify)(ev_ctx *c);
	int errnos[8];
};

const struct sweep sweeps[] = {
	{
		.name = "fault_queue_alloc",
		.setup = setup_domain,
		.run = [](ev_ctx *c) {
			u32 hwpt;

			FAILNTH_TRY(fault_alloc(c));
			return hwpt_alloc(c, c->ioas, IOMMU_HWPT_FAULT_ID_VALID, c->fault_id,
					  IOMMU_HWPT_DATA_NONE, NULL, 0, &hwpt);
		},
		.verify = [](ev_ctx *c) {
			u32 hwpt;

			if (c->fault_fd < 0)
				FAILNTH_TRY(fault_alloc(c));
			FAILNTH_TRY(hwpt_alloc(c, c->ioas, IOMMU_HWPT_FAULT_ID_VALID, c->fault_id,
					       IOMMU_HWPT_DATA_NONE, NULL, 0, &hwpt));
			FAILNTH_TRY(mock_replace(c, hwpt));
			FAILNTH_TRY(trigger_iopf(c, 7));
			return answer_all(c, 7);
		},
		/* The HWPT's pt_id lookup failing reads as EINVAL. */
		.errnos = { ENOMEM, EFAULT, ENOENT, EINVAL },
	},
	{
		.name = "iopf_deliver_respond",
		.setup = setup_iopf,
		.run = [](ev_ctx *c) {
			FAILNTH_TRY(trigger_iopf(c, 1));
			FAILNTH_TRY(trigger_iopf(c, 2));
			FAILNTH_TRY(answer_all(c, -1));
			/* Detach with one outstanding: answered automatically. */
			FAILNTH_TRY(trigger_iopf(c, 3));
			return mock_replace(c, c->ioas);
		},
		.verify = [](ev_ctx *c) {
			FAILNTH_TRY(mock_replace(c, c->iopf_hwpt));
			/* Anything the run left unread was answered on detach. */
			(void)answer_all(c, -1);
			FAILNTH_TRY(trigger_iopf(c, 9));
			return answer_all(c, 9);
		},
		.errnos = { ENOMEM, EFAULT, ENOENT, EINVAL },
	},
	{
		.name = "veventq",
		.setup = setup_viommu,
		.run = [](ev_ctx *c) {
			FAILNTH_TRY(veventq_alloc(c));
			FAILNTH_TRY(trigger_vevent(c));
			return trigger_vevent(c);
		},
		.verify = [](ev_ctx *c) {
			struct {
				struct iommufd_vevent_header hdr;
				struct iommu_viommu_event_selftest data;
			} ev;

			if (c->veventq_fd < 0)
				FAILNTH_TRY(veventq_alloc(c));
			while (readable(c->veventq_fd))
				(void)!read(c->veventq_fd, &ev, sizeof(ev));
			FAILNTH_TRY(trigger_vevent(c));
			if (read(c->veventq_fd, &ev, sizeof(ev)) != (ssize_t)sizeof(ev))
				return EIO;
			return ev.hdr.flags || ev.data.virt_id != 0x42 ? EIO : 0;
		},
		.errnos = { ENOMEM, EFAULT, ENOENT },
	},
};

KUNIT_ARRAY_PARAM(failnth_events, sweeps, failnth_sweep_desc<struct sweep>);

void failnth_events_sweep(struct kunit *test)
{
	failnth_run_sweep(test, (const struct sweep *)test->param_value, max_points, teardown);
}

/* First-use state (caches, the mock IOMMU, the evfd thread) before any mark. */
int failnth_events_suite_init(struct kunit_suite *suite)
{
	failnth_warm_up(sweeps, teardown);
	return 0;
}

struct kunit_case failnth_events_cases[] = {
	KUNIT_CASE_PARAM(failnth_events_sweep, failnth_events_gen_params),
	{},
};

struct kunit_suite failnth_events_suite = {
	.name = "iommufd-failnth-events",
	.suite_init = failnth_events_suite_init,
	.test_cases = failnth_events_cases,
};

} // namespace

kunit_test_suite(failnth_events_suite);
