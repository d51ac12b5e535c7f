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

    return migration->device_state == VFIO_DEVICE_STATE_RUNNING ||
           migration->device_state == VFIO_DEVICE_STATE_RUNNING_P2P;
}

bool vfio_device_state_is_precopy(VFIODevice *vbasedev)
{
	VFIOMigration *migration = vbasedev->migration;

	/* A P2P-quiesced pre-copy session still counts as pre-copy. */
	return (migration->device_state == VFIO_DEVICE_STATE_PRE_COPY) ||
	       (migration->device_state == VFIO_DEVICE_STATE_PRE_COPY_P2P);
}

static bool vfio_devices_all_running_and_saving(VFIOContainer *container)
{
    VFIOGroup *group;
    VFIODevice *vbasedev;

    QLIST_FOREACH(group, &container->group_list, container_next) {
        QLIST_FOREACH(vbasedev, &group->device_list, next) {
            if (!vbasedev->migration) {
                return false;
            }
            if (vfio_device_state_is_running(vbasedev) ||
                vfio_device_state_is_precopy(vbasedev)) {
                continue;
            }
            return false;
        }
    }
    return true;
}

static void vfio_disconnect_container(VFIOGroup *group)
{
    VFIOContainer *container = group->container;

    QLIST_REMOVE(group, container_next);
    group->container = NULL;
    if (QLIST_EMPTY(&container->group_list)) {
        trace_vfio_disconnect_container(container->fd);
        close(container->fd);
        g_free(container);
    }
}

void vfio_put_group(VFIOGroup *group)
{
    if (!group || !QLIST_EMPTY(&group->device_list)) {
        return;
    }

    vfio_disconnect_container(group);
    QLIST_REMOVE(group, next);
    trace_vfio_put_group(group->fd);
    close(group->fd);
    g_free(group);
}
