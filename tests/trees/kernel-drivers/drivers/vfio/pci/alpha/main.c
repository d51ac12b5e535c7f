// SPDX-License-Identifier: GPL-2.0-only
/* alpha: if-chains, arcs joined by ||, conditions split across lines. */
#include "alpha.h"

static int alpha_hw_quiesce(struct alpha_vf *vf, bool on)
{
	return 0;
}

static struct file *alpha_open_stream(struct alpha_vf *vf, bool save)
{
	return NULL;
}

static struct file *alpha_step(struct alpha_vf *vf, u32 new)
{
	u32 cur = vf->state;
	int err;

	if (cur == VFIO_DEVICE_STATE_RUNNING_P2P && new == VFIO_DEVICE_STATE_STOP)
		return NULL;

	if (cur == VFIO_DEVICE_STATE_STOP && new == VFIO_DEVICE_STATE_RUNNING_P2P)
		return NULL;

	if ((cur == VFIO_DEVICE_STATE_RUNNING && new == VFIO_DEVICE_STATE_RUNNING_P2P) ||
	    (cur == VFIO_DEVICE_STATE_PRE_COPY && new == VFIO_DEVICE_STATE_PRE_COPY_P2P)) {
		err = alpha_hw_quiesce(vf, true);
		return err ? ERR_PTR(err) : NULL;
	}

	if ((cur == VFIO_DEVICE_STATE_RUNNING_P2P && new == VFIO_DEVICE_STATE_RUNNING) ||
	    (cur == VFIO_DEVICE_STATE_PRE_COPY_P2P && new == VFIO_DEVICE_STATE_PRE_COPY)) {
		err = alpha_hw_quiesce(vf, false);
		return err ? ERR_PTR(err) : NULL;
	}

	if (cur == VFIO_DEVICE_STATE_STOP && new == VFIO_DEVICE_STATE_STOP_COPY)
		return alpha_open_stream(vf, true);

	if ((cur == VFIO_DEVICE_STATE_STOP_COPY && new == VFIO_DEVICE_STATE_STOP) ||
	    (cur == VFIO_DEVICE_STATE_PRE_COPY && new == VFIO_DEVICE_STATE_RUNNING) ||
	    (cur == VFIO_DEVICE_STATE_PRE_COPY_P2P &&
	     new == VFIO_DEVICE_STATE_RUNNING_P2P)) {
		/* the saving session ends */
		return NULL;
	}

	if (cur == VFIO_DEVICE_STATE_STOP && new == VFIO_DEVICE_STATE_RESUMING)
		return alpha_open_stream(vf, false);

	if (cur == VFIO_DEVICE_STATE_RESUMING && new == VFIO_DEVICE_STATE_STOP)
		return NULL;

	if ((cur == VFIO_DEVICE_STATE_RUNNING && new == VFIO_DEVICE_STATE_PRE_COPY) ||
	    (cur == VFIO_DEVICE_STATE_RUNNING_P2P &&
	     new == VFIO_DEVICE_STATE_PRE_COPY_P2P))
		return alpha_open_stream(vf, true);

	if (cur == VFIO_DEVICE_STATE_PRE_COPY_P2P &&
	    new == VFIO_DEVICE_STATE_STOP_COPY)
		return NULL;

	/* the core's lookup asks for no other arc */
	WARN_ON(true);
	return ERR_PTR(-EINVAL);
}

static struct file *alpha_set_state(struct vfio_device *vdev,
				    enum vfio_device_mig_state new_state)
{
	struct alpha_vf *vf = container_of(vdev, struct alpha_vf, vdev);
	enum vfio_device_mig_state next_state;
	struct file *res = NULL;
	int ret;

	mutex_lock(&vf->lock);
	while (new_state != vf->state) {
		ret = vfio_mig_get_next_state(vdev, vf->state, new_state,
					      &next_state);
		if (ret) {
			res = ERR_PTR(ret);
			break;
		}
		res = alpha_step(vf, next_state);
		if (IS_ERR(res))
			break;
		vf->state = next_state;
	}
	mutex_unlock(&vf->lock);
	return res;
}

static const struct vfio_migration_ops alpha_mig_ops = {
	.migration_set_state = alpha_set_state,
};

int alpha_probe(struct alpha_vf *vf)
{
	alpha_enable_migration(vf, &alpha_mig_ops);
	return 0;
}
