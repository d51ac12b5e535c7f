// SPDX-License-Identifier: GPL-2.0-only
/* gamma, a fixture driver for migspec's tests: arcs read from switches. */
#include <linux/vfio.h>

struct gamma_vf {
	struct vfio_device vdev;
	u32 mig_state;
};

static struct file *gamma_step(struct gamma_vf *g, u32 to)
{
	switch (g->mig_state) {
	case VFIO_DEVICE_STATE_STOP:
		switch (to) {
		case VFIO_DEVICE_STATE_STOP_COPY:
		case VFIO_DEVICE_STATE_RESUMING:
			return NULL;
		case VFIO_DEVICE_STATE_RUNNING_P2P:
			return NULL;
		default:
			break;
		}
		break;
	case VFIO_DEVICE_STATE_RUNNING:
		if (to == VFIO_DEVICE_STATE_RUNNING_P2P)
			return NULL;
		break;
	case VFIO_DEVICE_STATE_RUNNING_P2P:
		if (to == VFIO_DEVICE_STATE_RUNNING || to == VFIO_DEVICE_STATE_STOP)
			return NULL;
		break;
	case VFIO_DEVICE_STATE_STOP_COPY:
	case VFIO_DEVICE_STATE_RESUMING:
		if (to == VFIO_DEVICE_STATE_STOP)
			return NULL;
		break;
	default:
		break;
	}
	return ERR_PTR(-EINVAL);
}

static struct file *gamma_set_state(struct vfio_device *vdev,
				    enum vfio_device_mig_state new_state)
{
	struct gamma_vf *g = container_of(vdev, struct gamma_vf, vdev);
	enum vfio_device_mig_state next;
	struct file *res = NULL;

	while (new_state != g->mig_state) {
		if (vfio_mig_get_next_state(vdev, g->mig_state, new_state, &next))
			return ERR_PTR(-EINVAL);
		res = gamma_step(g, next);
		if (IS_ERR(res))
			break;
		g->mig_state = next;
	}
	return res;
}

static const struct vfio_migration_ops gamma_ops = {
	.migration_set_state = gamma_set_state,
};

static int gamma_init(struct gamma_vf *g)
{
	g->vdev.migration_flags = VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P;
	g->vdev.mig_ops = &gamma_ops;
	return 0;
}
