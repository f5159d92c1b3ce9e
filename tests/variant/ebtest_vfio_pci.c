// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test only: a vfio-pci variant driver for earlybind's boot tests, registered through
 * vfio_pci_core the way the in-tree variants are (drivers/vfio/pci/vfio_pci.c is the model).
 * Its only id, the emulated e1000e (8086:10d3), is a PCI_DRIVER_OVERRIDE_DEVICE_VFIO entry: the
 * module carries the alias "vfio_pci:v00008086d000010D3sv*sd*bc*sc*i*" and binds only through
 * driver_override, never by plain id matching.
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/vfio_pci_core.h>

static int ebtest_open_device(struct vfio_device *core_vdev)
{
	struct vfio_pci_core_device *vdev =
		container_of(core_vdev, struct vfio_pci_core_device, vdev);
	int ret = vfio_pci_core_enable(vdev);

	if (ret)
		return ret;
	vfio_pci_core_finish_enable(vdev);
	return 0;
}

static const struct vfio_device_ops ebtest_ops = {
	.name = "ebtest-vfio-pci",
	.init = vfio_pci_core_init_dev,
	.release = vfio_pci_core_release_dev,
	.open_device = ebtest_open_device,
	.close_device = vfio_pci_core_close_device,
	.ioctl = vfio_pci_core_ioctl,
	.device_feature = vfio_pci_core_ioctl_feature,
	.read = vfio_pci_core_read,
	.write = vfio_pci_core_write,
	.mmap = vfio_pci_core_mmap,
	.request = vfio_pci_core_request,
	.match = vfio_pci_core_match,
};

static int ebtest_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct vfio_pci_core_device *vdev;
	int ret;

	vdev = vfio_alloc_device(vfio_pci_core_device, vdev, &pdev->dev, &ebtest_ops);
	if (IS_ERR(vdev))
		return PTR_ERR(vdev);
	dev_set_drvdata(&pdev->dev, vdev);
	ret = vfio_pci_core_register_device(vdev);
	if (ret) {
		vfio_put_device(&vdev->vdev);
		return ret;
	}
	return 0;
}

static void ebtest_remove(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *vdev = dev_get_drvdata(&pdev->dev);

	vfio_pci_core_unregister_device(vdev);
	vfio_put_device(&vdev->vdev);
}

static const struct pci_device_id ebtest_table[] = {
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_INTEL, 0x10d3) },
	{}
};
MODULE_DEVICE_TABLE(pci, ebtest_table);

static struct pci_driver ebtest_driver = {
	.name = "ebtest_vfio_pci",
	.id_table = ebtest_table,
	.probe = ebtest_probe,
	.remove = ebtest_remove,
	.err_handler = &vfio_pci_core_err_handlers,
	.driver_managed_dma = true,
};
module_pci_driver(ebtest_driver);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("earlybind test-only vfio-pci variant driver for the emulated e1000e");
