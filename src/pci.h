/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PCI primitives every stage shares: a function's address, its ids and class, and the class
 * numbers of include/linux/pci_ids.h that decisions are made on. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define PCI_ANY_ID 0xffffffffu
/* "ffffffff:ff:1f.7" + NUL */
#define PCI_ADDR_MAX 20

struct pci_addr {
	uint32_t domain;
	uint8_t bus, dev, fn;
};

/* Strict "[DOMAIN:]BB:DD.F": DOMAIN 1-8 hex digits, BB two, DD two (<= 1f), F 0-7. */
int pci_addr_parse(const char *s, struct pci_addr *out);
/* "0000:01:00.0"; buf must hold PCI_ADDR_MAX bytes. */
char *pci_addr_fmt(const struct pci_addr *a, char *buf);
int pci_addr_cmp(const struct pci_addr *a, const struct pci_addr *b);

struct pci_ids {
	uint16_t vendor, device, subvendor, subdevice;
	uint32_t class; /* 24 bits: class << 16 | subclass << 8 | prog-if */
};

/* Class numbers (class >> 8, or the base class, class >> 16), as include/linux/pci_ids.h names
 * them. */
#define PCI_CLASS_NOT_DEFINED	  0x0000
#define PCI_BASE_CLASS_STORAGE	  0x01
#define PCI_BASE_CLASS_DISPLAY	  0x03
#define PCI_CLASS_DISPLAY_VGA	  0x0300
#define PCI_CLASS_BRIDGE_HOST	  0x0600
#define PCI_CLASS_BRIDGE_ISA	  0x0601
#define PCI_CLASS_BRIDGE_PCI	  0x0604
#define PCI_CLASS_BRIDGE_CARDBUS  0x0607
#define PCI_CLASS_BRIDGE_SEMI_PCI 0x0609 /* semi-transparent PCI-to-PCI (PCI code and ID spec) */

/* The base class (0x03 display) and the class (0x0300 VGA) of a function. */
static inline unsigned pci_base_class(const struct pci_ids *ids)
{
	return ids->class >> 16;
}
static inline unsigned pci_class(const struct pci_ids *ids)
{
	return ids->class >> 8;
}
/* The bridge classes never claimed: host, ISA, PCI-to-PCI, semi-transparent PCI-to-PCI. */
static inline bool pci_class_is_bridge(unsigned cls)
{
	return cls == PCI_CLASS_BRIDGE_HOST || cls == PCI_CLASS_BRIDGE_ISA ||
	       cls == PCI_CLASS_BRIDGE_PCI || cls == PCI_CLASS_BRIDGE_SEMI_PCI;
}
