// SPDX-License-Identifier: LGPL-2.1-or-later
#include "json.h"

void json_device(struct strbuf *sb, const struct pci_dev *dev, const struct decision *dc)
{
	bool tgt = dc && (dc->action == ACT_CLAIM || dc->action == ACT_ALREADY);

	sb_add(sb, "{\"address\":");
	sb_add_json_str(sb, dev->name);
	sb_addf(sb,
		",\"vendor\":\"%04x\",\"device\":\"%04x\",\"subvendor\":\"%04x\","
		"\"subdevice\":\"%04x\",\"class\":\"%06x\",\"driver\":",
		dev->ids.vendor, dev->ids.device, dev->ids.subvendor, dev->ids.subdevice,
		dev->ids.class);
	sb_add_json_str(sb, dev->driver);
	sb_add(sb, ",\"driver_override\":");
	sb_add_json_str(sb, dev->driver_override);
	if (dev->iommu_group >= 0)
		sb_addf(sb, ",\"iommu_group\":%d", dev->iommu_group);
	else
		sb_add(sb, ",\"iommu_group\":null");
	sb_add(sb, ",\"physical_path\":");
	sb_add_json_str(sb, dev->physpath);
	if (dc) {
		sb_add(sb, ",\"action\":");
		sb_add_json_str(sb, action_name(dc->action));
		sb_add(sb, ",\"target\":");
		sb_add_json_str(sb, tgt ? drv_name(dc->target) : NULL);
		sb_add(sb, ",\"variant\":");
		sb_add_json_str(sb, dc->variant);
		sb_addf(sb,
			",\"d3cold_allowed\":%s,\"reset_method\":", dc->d3cold ? "false" : "null");
		sb_add_json_str(sb, dc->reset);
		sb_add(sb, ",\"reason\":");
		sb_add_json_str(sb, decision_reason(dc));
		sb_addf(sb, ",\"companion\":%s", dc->companion ? "true" : "false");
	}
	sb_addc(sb, '}');
}

/* A result's fields, without the braces. */
static void result_fields(struct strbuf *sb, const char *addr, enum result res, enum drv target,
			  const char *orig, const char *final, const char *error)
{
	sb_add(sb, "\"address\":");
	sb_add_json_str(sb, addr);
	sb_addf(sb, ",\"result\":\"%s\",\"target\":", result_name(res));
	sb_add_json_str(sb, drv_name(target));
	sb_add(sb, ",\"original_driver\":");
	sb_add_json_str(sb, orig);
	sb_add(sb, ",\"final_driver\":");
	sb_add_json_str(sb, final);
	sb_add(sb, ",\"error\":");
	sb_add_json_str(sb, error);
}

void json_result(struct strbuf *sb, const char *addr, enum result res, enum drv target,
		 const char *orig, const char *final, const char *error)
{
	sb_addc(sb, '{');
	result_fields(sb, addr, res, target, orig, final, error);
	sb_addc(sb, '}');
}

void json_recorded(struct strbuf *sb, const struct state_entry *e)
{
	char a[PCI_ADDR_MAX];

	sb_addc(sb, '{');
	result_fields(sb, pci_addr_fmt(&e->addr, a), e->res, e->target, e->orig_driver,
		      e->final_driver, e->error);
	sb_addf(sb, ",\"origin\":\"%s\",\"time\":%lld}", origin_name(e->origin), e->time);
}

void json_bound(struct strbuf *sb, const struct state *s, const struct pci_list *devs)
{
	bool first = true;
	char a[PCI_ADDR_MAX];

	sb_addc(sb, '[');
	for (size_t i = 0; i < s->n; i++) {
		const struct state_entry *e = &s->v[i];
		const struct pci_dev *dev = pci_list_find(devs, &e->addr);

		if (state_find(s, &e->addr) != e ||
		    (e->res != RES_CLAIMED && e->res != RES_ALREADY))
			continue;
		sb_add(sb, first ? "{\"address\":" : ",{\"address\":");
		first = false;
		sb_add_json_str(sb, pci_addr_fmt(&e->addr, a));
		if (dev)
			sb_addf(sb, ",\"vendor\":\"%04x\",\"device\":\"%04x\"", dev->ids.vendor,
				dev->ids.device);
		else
			sb_add(sb, ",\"vendor\":null,\"device\":null");
		sb_add(sb, ",\"target\":");
		sb_add_json_str(sb, drv_name(e->target));
		sb_add(sb, ",\"driver\":");
		sb_add_json_str(sb, dev ? dev->driver : NULL);
		sb_add(sb, ",\"selector\":");
		sb_add_json_str(sb, e->selector);
		if (dev && dev->iommu_group >= 0)
			sb_addf(sb, ",\"iommu_group\":%d", dev->iommu_group);
		else
			sb_add(sb, ",\"iommu_group\":null");
		sb_addf(sb, ",\"origin\":\"%s\",\"time\":%lld}", origin_name(e->origin), e->time);
	}
	sb_addc(sb, ']');
}

void json_sriov(struct strbuf *sb, const struct plan *p, const struct pci_list *devs)
{
	sb_addc(sb, '[');
	for (size_t i = 0; i < p->nsriov; i++) {
		const struct sriov_job *j = &p->sriov[i];

		if (i)
			sb_addc(sb, ',');
		sb_add(sb, "{\"pf\":");
		sb_add_json_str(sb, devs->v[j->pf].name);
		sb_addf(sb, ",\"vfs\":%u,\"driver\":", j->sel->nvfs);
		sb_add_json_str(sb, drv_name(j->sel->pf.drv));
		sb_addf(sb, ",\"now\":%s,\"selector\":", j->now ? "true" : "false");
		sb_add_json_str(sb, j->sel->pf.text);
		sb_addc(sb, '}');
	}
	sb_addc(sb, ']');
}
