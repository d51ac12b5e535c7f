// SPDX-License-Identifier: GPL-2.0-only
/* epsilon, a fixture driver for migspec's tests: P2P done as STOP, arcs
 * joined by || without braces, migration only when the device supports it. */
#include <linux/vfio.h>

struct eps_vf {
	struct vfio_device vdev;
	enum vfio_device_mig_state mig_state;
	bool supported;
};

static struct file *eps_set(struct eps_vf *e, u32 new)
{
	u32 cur = e->mig_state;

	if (cur == VFIO_DEVICE_STATE_RUNNING && new == VFIO_DEVICE_STATE_RUNNING_P2P)
		return NULL;

	if ((cur == VFIO_DEVICE_STATE_RUNNING_P2P && new == VFIO_DEVICE_STATE_STOP) ||
	    (cur == VFIO_DEVICE_STATE_STOP && new == VFIO_DEVICE_STATE_RUNNING_P2P))
		return NULL;

	if (cur == VFIO_DEVICE_STATE_RUNNING_P2P && new == VFIO_DEVICE_STATE_RUNNING)
		return NULL;

	if (cur == VFIO_DEVICE_STATE_STOP && new == VFIO_DEVICE_STATE_STOP_COPY) {
		if (!e->supported)
			goto err;
		return NULL;
	}

	if (cur == VFIO_DEVICE_STATE_STOP_COPY && new == VFIO_DEVICE_STATE_STOP)
		return NULL;

	if (cur == VFIO_DEVICE_STATE_STOP && new == VFIO_DEVICE_STATE_RESUMING)
		return NULL;

	if (cur == VFIO_DEVICE_STATE_RESUMING && new == VFIO_DEVICE_STATE_STOP)
		return NULL;

	WARN(true, "unexpected arc %u -> %u", cur, new);
	return ERR_PTR(-EINVAL);

err:
	pr_debug("arc %u -> %u failed\n", cur, new);
	return ERR_PTR(-EIO);
}

static struct file *eps_set_device_state(struct vfio_device *vdev,
					 enum vfio_device_mig_state new_state)
{
	struct eps_vf *e = container_of(vdev, struct eps_vf, vdev);
	enum vfio_device_mig_state next_state;
	struct file *f = NULL;
	int ret;

	while (new_state != e->mig_state) {
		ret = vfio_mig_get_next_state(vdev, e->mig_state, new_state, &next_state);
		if (ret) {
			f = ERR_PTR(ret);
			break;
		}
		f = eps_set(e, next_state);
		if (IS_ERR(f))
			break;
		e->mig_state = next_state;
	}
	return f;
}

static const struct vfio_migration_ops eps_migration_ops = {
	.migration_set_state = eps_set_device_state,
};

static void eps_migration_init(struct eps_vf *e)
{
	if (!e->supported)
		return;
	e->vdev.migration_flags = VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P;
	e->vdev.mig_ops = &eps_migration_ops;
}
