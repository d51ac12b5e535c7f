// SPDX-License-Identifier: GPL-2.0-only
/* delta, a fixture driver for migspec's tests: PRE_COPY only when the
 * hardware has the capability; no P2P. */
#include <linux/vfio.h>

struct delta_vf {
	struct vfio_device vdev;
	u32 mig_state;
	bool has_precopy;
};

static struct file *delta_step(struct delta_vf *d, u32 new)
{
	u32 cur = d->mig_state;

	if (cur == VFIO_DEVICE_STATE_RUNNING && new == VFIO_DEVICE_STATE_PRE_COPY)
		return NULL;
	if (cur == VFIO_DEVICE_STATE_PRE_COPY && new == VFIO_DEVICE_STATE_STOP_COPY)
		return NULL;
	if (cur == VFIO_DEVICE_STATE_PRE_COPY && new == VFIO_DEVICE_STATE_RUNNING)
		return NULL;
	if (cur == VFIO_DEVICE_STATE_RUNNING && new == VFIO_DEVICE_STATE_STOP)
		return NULL;
	if (cur == VFIO_DEVICE_STATE_STOP && new == VFIO_DEVICE_STATE_RUNNING)
		return NULL;
	if (cur == VFIO_DEVICE_STATE_STOP && new == VFIO_DEVICE_STATE_STOP_COPY)
		return NULL;
	if ((cur == VFIO_DEVICE_STATE_STOP_COPY && new == VFIO_DEVICE_STATE_STOP))
		return NULL;
	if (cur == VFIO_DEVICE_STATE_STOP && new == VFIO_DEVICE_STATE_RESUMING)
		return NULL;
	if (cur == VFIO_DEVICE_STATE_RESUMING && new == VFIO_DEVICE_STATE_STOP)
		return NULL;
	return ERR_PTR(-EINVAL);
}

static struct file *delta_set_state(struct vfio_device *vdev,
				    enum vfio_device_mig_state new_state)
{
	struct delta_vf *d = container_of(vdev, struct delta_vf, vdev);
	enum vfio_device_mig_state next_state;
	struct file *res = NULL;

	while (new_state != d->mig_state) {
		int ret = vfio_mig_get_next_state(vdev, d->mig_state, new_state,
						  &next_state);
		if (ret)
			return ERR_PTR(ret);
		res = delta_step(d, next_state);
		if (IS_ERR(res))
			break;
		d->mig_state = next_state;
	}
	return res;
}

static const struct vfio_migration_ops delta_ops = {
	.migration_set_state = delta_set_state,
};

static int delta_init(struct delta_vf *d)
{
	d->vdev.migration_flags = VFIO_MIGRATION_STOP_COPY;
	if (d->has_precopy)
		d->vdev.migration_flags |= VFIO_MIGRATION_PRE_COPY;
	d->vdev.mig_ops = &delta_ops;
	return 0;
}
