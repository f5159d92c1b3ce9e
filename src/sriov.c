// SPDX-License-Identifier: LGPL-2.1-or-later
#include "sriov.h"

#include <stdlib.h>

#include "apply.h"
#include "util.h"

void sriov_make(struct ctx *c, const struct pci_addr *only, bool dry, struct made_vfs *m,
		struct logger *log)
{
	size_t cap = 0, pcap = 0;
	bool any = false;

	for (size_t i = 0; i < c->plan.nsriov; i++) {
		const struct sriov_job *j = &c->plan.sriov[i];
		const struct pci_dev *pf = &c->devs.v[j->pf];
		unsigned nv = j->sel->nvfs;
		struct pci_addr *vfs = NULL;
		int n;

		if (only && pci_addr_cmp(only, &pf->addr) != 0)
			continue;
		if (!j->now) {
			log_line(log, LOG_INFO, "%s: its VFs are made when its driver binds [%s]",
				 pf->name, j->sel->pf.text);
			continue;
		}
		if (dry) {
			log_line(
			    log, LOG_INFO,
			    "%s: dry run: would make %u VF%s with VF autoprobe off and claim %s "
			    "for %s [%s]",
			    pf->name, nv, nv == 1 ? "" : "s", nv == 1 ? "it" : "them",
			    drv_name(j->sel->pf.drv), j->sel->pf.text);
			continue;
		}
		n = apply_sriov_make(c, j, &vfs, log);
		for (int k = 0; k < n; k++) {
			grow((void **)&m->vfs, &cap, m->nvfs, sizeof(*m->vfs));
			m->vfs[m->nvfs++] = vfs[k];
		}
		if (n > 0) {
			grow((void **)&m->pfs, &pcap, m->npfs, sizeof(*m->pfs));
			m->pfs[m->npfs++] = pf->addr;
			any = true;
		}
		free(vfs);
	}
	if (any)
		pipeline_rescan(c);
}

int sriov_apply_made(struct ctx *c, const struct made_vfs *m, bool dry, struct outcome *out,
		     struct logger *log)
{
	int failed = 0;

	for (size_t k = 0; k < m->nvfs && failed >= 0; k++) {
		int f = apply_run(c, &m->vfs[k], dry, out, log);

		failed = f < 0 ? f : failed + f;
	}
	return failed;
}

void sriov_finish(struct ctx *c, struct made_vfs *m, const struct outcome *out, struct logger *log)
{
	for (size_t i = 0; i < m->npfs; i++) {
		const struct pci_dev *pf = pci_list_find(&c->devs, &m->pfs[i]);

		if (pf)
			apply_sriov_done(c, pf, log);
	}
	for (size_t i = 0; i < m->nvfs; i++) {
		const struct pci_dev *vf = pci_list_find(&c->devs, &m->vfs[i]);
		enum result res = vf ? out[vf - c->devs.v].res : RES_NONE;

		if (vf && res != RES_CLAIMED && res != RES_ALREADY)
			apply_probe(c, vf, log);
	}
	free(m->vfs);
	free(m->pfs);
}
