/*
 * Test fixture for migspec: generic VFIO helpers in the style of QEMU's
 * hw/vfio/common.c.  Written for migspec's tests; never compiled.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <sys/ioctl.h>
#include <linux/vfio.h>

#include "hw/vfio/vfio-common.h"
#include "qemu/error-report.h"
#include "trace.h"

VFIOGroupList vfio_group_list =
    QLIST_HEAD_INITIALIZER(vfio_group_list);

bool vfio_device_state_is_running(VFIODevice *vbasedev)
{
    VFIOMigration *migration = vbasedev->migration;

    return !!(migration->device_state == VFIO_DEVICE_STATE_RUNNING ||
           migration->device_state == VFIO_DEVICE_STATE_RUNNING_P2P);
}

bool vfio_device_state_is_precopy(VFIODevice *vbasedev)
{
	VFIOMigration *migration = vbasedev->migration;

	/* A P2P-quiesced pre-copy session still counts as pre-copy. */
	return (migration->device_state == VFIO_DEVICE_STATE_PRE_COPY) ||
	       (migration->device_state == VFIO_DEVICE_STATE_PRE_COPY_P2P);
}

