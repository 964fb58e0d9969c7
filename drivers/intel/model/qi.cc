// SPDX-License-Identifier: GPL-2.0
/*
 * The queued invalidation interface (VT-d specification 6.5.2): the
 * descriptors between IQH and IQT are fetched and carried out in order,
 * synchronously, inside the register write that made them available.
 *
 * An invalid descriptor (unknown or unsupported type, a reserved field
 * set, a PASID-based descriptor in legacy mode, a 128-bit queue in
 * scalable mode) sets FSTS.IQE with the reason in IQER.IQEI and stops the
 * queue with IQH at the bad descriptor, none of it carried out. The queue
 * stays stopped until software clears IQE; it then resumes at IQH, which is
 * how the kernel's qi_check_fault() recovers after overwriting the bad
 * slot. A tail beyond the queue, or not 256-bit aligned in a 256-bit
 * queue, stops it the same way before anything is fetched.
 *
 * Endpoints here always answer device-TLB invalidations, so ITE and ICE
 * never arise. The fence and drain flags of an invalidation wait are met
 * trivially: nothing is in flight once a descriptor has been carried out,
 * and page requests are queued as they arrive.
 */
#include "drivers/intel/model/model_internal.h"

#include "harness/physmem.h"

static void vtd_qi_error(struct vtd_model *m, enum dmar_iqei iqei)
{
	m->iqer = FIELD_PREP(DMA_IQER_IQEI, iqei);
	vtd_fault_event_status(m, DMA_FSTS_IQE);
}

static bool vtd_iotlb_am_ok(struct vtd_model *m, unsigned int am)
{
	return m->cfg.psi && am <= m->cfg.mamv;
}

/* Carries out @d; 0 or the IQEI of why it is invalid. */
static int vtd_qi_exec(struct vtd_model *m, const struct qi_desc *d, bool wide)
{
	unsigned int type = qi_desc_type(d->qw0);
	bool sm = vtd_scalable(m);

	/* The upper half of a 256-bit descriptor is private data or reserved. */
	if (wide && type != QI_PGRP_RESP_TYPE && (d->qw2 || d->qw3))
		return DMA_IQEI_RESERVED;
	switch (type) {
	case QI_CC_TYPE: {
		unsigned int gran = FIELD_GET(QI_CC_0_GRAN, d->qw0);

		if ((d->qw0 & QI_CC_0_RES0) || (d->qw1 & QI_CC_1_RES0) || !gran)
			return DMA_IQEI_RESERVED;
		vtd_ctx_inv(m, gran, FIELD_GET(QI_CC_0_DID, d->qw0), FIELD_GET(QI_CC_0_SID, d->qw0),
			    FIELD_GET(QI_CC_0_FM, d->qw0));
		return 0;
	}
	case QI_IOTLB_TYPE: {
		unsigned int gran = FIELD_GET(QI_IOTLB_0_GRAN, d->qw0);
		unsigned int am = FIELD_GET(QI_IOTLB_1_AM, d->qw1);

		if ((d->qw0 & QI_IOTLB_0_RES0) || (d->qw1 & QI_IOTLB_1_RES0) || !gran)
			return DMA_IQEI_RESERVED;
		if (gran == QI_IOTLB_GRAN_PAGE && !vtd_iotlb_am_ok(m, am))
			return DMA_IQEI_RESERVED;
		vtd_iotlb_inv(m, gran, FIELD_GET(QI_IOTLB_0_DID, d->qw0),
			      d->qw1 & QI_IOTLB_1_ADDR, am);
		return 0;
	}
	case QI_DIOTLB_TYPE:
		if (!m->cfg.dt)
			return DMA_IQEI_TYPE;
		if ((d->qw0 & QI_DEV_IOTLB_0_RES0) || (d->qw1 & QI_DEV_IOTLB_1_RES0))
			return DMA_IQEI_RESERVED;
		vtd_devtlb_inv(m, FIELD_GET(QI_DEV_IOTLB_0_SID, d->qw0), VTD_NO_PASID, false,
			       d->qw1 & QI_DEV_IOTLB_1_ADDR, d->qw1 & QI_DEV_IOTLB_1_S);
		return 0;
	case QI_IWD_TYPE: {
		u32 data = FIELD_GET(QI_IWD_0_STATUS_DATA, d->qw0);

		if ((d->qw0 & QI_IWD_0_RES0) || ((d->qw0 & QI_IWD_PRQ_DRAIN) && !m->cfg.pds) ||
		    ((d->qw0 & QI_IWD_STATUS_WRITE) && (d->qw1 & QI_IWD_1_RES0)))
			return DMA_IQEI_RESERVED;
		/* A status write that finds no memory is lost; the wait still completes. */
		if (d->qw0 & QI_IWD_STATUS_WRITE)
			phys_write(d->qw1 & QI_IWD_1_STATUS_ADDR, &data, sizeof(data));
		if (d->qw0 & QI_IWD_IF) {
			bool was = m->ics & DMA_ICS_IWC;

			m->ics |= DMA_ICS_IWC;
			if (!was)
				vtd_raise_event(m, VTD_IRQ_INV_COMPLETION);
		}
		m->stats.waits++;
		return 0;
	}
	case QI_EIOTLB_TYPE: {
		unsigned int gran = FIELD_GET(QI_EIOTLB_0_GRAN, d->qw0);
		unsigned int am = FIELD_GET(QI_EIOTLB_1_AM, d->qw1);

		if (!sm)
			return DMA_IQEI_TTM;
		if ((d->qw0 & QI_EIOTLB_0_RES0) || (d->qw1 & QI_EIOTLB_1_RES0) ||
		    (gran != QI_GRAN_NONG_PASID && gran != QI_GRAN_PSI_PASID) ||
		    (gran == QI_GRAN_PSI_PASID && !vtd_iotlb_am_ok(m, am)))
			return DMA_IQEI_RESERVED;
		vtd_piotlb_inv(m, gran, FIELD_GET(QI_EIOTLB_0_DID, d->qw0),
			       FIELD_GET(QI_EIOTLB_0_PASID, d->qw0), d->qw1 & QI_EIOTLB_1_ADDR, am);
		return 0;
	}
	case QI_PC_TYPE: {
		unsigned int gran = FIELD_GET(QI_PC_0_GRAN, d->qw0);

		if (!sm)
			return DMA_IQEI_TTM;
		if ((d->qw0 & QI_PC_0_RES0) || (d->qw1 & QI_PC_1_RES0) || gran == 2)
			return DMA_IQEI_RESERVED;
		vtd_pasid_cache_inv(m, gran, FIELD_GET(QI_PC_0_DID, d->qw0),
				    FIELD_GET(QI_PC_0_PASID, d->qw0));
		return 0;
	}
	case QI_DEIOTLB_TYPE:
		if (!m->cfg.dt)
			return DMA_IQEI_TYPE;
		if (!sm)
			return DMA_IQEI_TTM;
		if (d->qw1 & QI_DEV_EIOTLB_1_RES0)
			return DMA_IQEI_RESERVED;
		vtd_devtlb_inv(m, FIELD_GET(QI_DEV_EIOTLB_0_SID, d->qw0),
			       FIELD_GET(QI_DEV_EIOTLB_0_PASID, d->qw0), d->qw1 & QI_DEV_EIOTLB_1_G,
			       d->qw1 & QI_DEV_EIOTLB_1_ADDR, d->qw1 & QI_DEV_EIOTLB_1_S);
		return 0;
	case QI_PGRP_RESP_TYPE:
		if (!m->cfg.prs)
			return DMA_IQEI_TYPE;
		if (!sm)
			return DMA_IQEI_TTM;
		if ((d->qw0 & QI_PGRP_0_RES0) || (d->qw1 & QI_PGRP_1_RES0) ||
		    (!wide && (d->qw0 & QI_PGRP_0_PDP)))
			return DMA_IQEI_RESERVED;
		m->pending_resp.push_back({
			.rid = (u16)FIELD_GET(QI_PGRP_0_RID, d->qw0),
			.pasid = (u32)FIELD_GET(QI_PGRP_0_PASID, d->qw0),
			.pasid_present = (bool)(d->qw0 & QI_PGRP_0_PASID_P),
			.prg_index = (u16)FIELD_GET(QI_PGRP_1_IDX, d->qw1),
			.resp_code = (unsigned int)FIELD_GET(QI_PGRP_0_RESP_CODE, d->qw0),
			.automatic = false,
		});
		return 0;
	default:
		/* Interrupt entry cache (no interrupt remapping here), page stream response, 0, 0xb+. */
		return DMA_IQEI_TYPE;
	}
}

void vtd_qi_consume(struct vtd_model *m)
{
	bool wide = m->iqa & DMA_IQA_DW;
	unsigned int dsz = wide ? QI_DESC_256_SIZE : QI_DESC_128_SIZE;
	u64 size = VTD_PAGE_SIZE << FIELD_GET(DMA_IQA_QS, m->iqa);
	u64 base = m->iqa & DMA_IQA_IQA;

	if (!(m->gsts & DMA_GSTS_QIES) || (m->fsts & DMA_FSTS_IQE))
		return;
	if (m->iqt >= size)
		return vtd_qi_error(m, DMA_IQEI_TAIL_BEYOND);
	if (wide && (m->iqt & (QI_DESC_256_SIZE - 1)))
		return vtd_qi_error(m, DMA_IQEI_TAIL_MISALIGNED);
	while (m->iqh != m->iqt) {
		struct qi_desc d = {};
		int err;

		if (vtd_scalable(m) && !wide)
			return vtd_qi_error(m, DMA_IQEI_WIDTH);
		if (phys_read(base + m->iqh, &d, dsz))
			return vtd_qi_error(m, DMA_IQEI_FETCH);
		err = vtd_qi_exec(m, &d, wide);
		if (err)
			return vtd_qi_error(m, (enum dmar_iqei)err);
		m->stats.descs++;
		m->iqh = (m->iqh + dsz) % size;
	}
}
