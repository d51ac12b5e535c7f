// SPDX-License-Identifier: GPL-2.0-only
/* beta: the loop's next state is called "step_to". */
#include "beta.h"

static struct file *beta_set_state(struct vfio_device *vdev,
				   enum vfio_device_mig_state wanted)
{
	struct beta_dev *bd = container_of(vdev, struct beta_dev, vdev);
	struct file *res = NULL;

	mutex_lock(&bd->mig_lock);
	while (bd->mig_state != VFIO_DEVICE_STATE_ERROR &&
	       wanted != bd->mig_state) {
		enum vfio_device_mig_state step_to;
		int err = vfio_mig_get_next_state(vdev, bd->mig_state, wanted,
						  &step_to);

		if (err) {
			res = ERR_PTR(err);
			break;
		}
		res = beta_step_locked(bd, step_to);
		if (IS_ERR(res))
			break;
		bd->mig_state = step_to;
	}
	mutex_unlock(&bd->mig_lock);
	return res;
}

static const struct vfio_migration_ops beta_lm_ops = {
	.migration_set_state = beta_set_state,
};

static int beta_init(struct vfio_device *vdev)
{
	vdev->migration_flags = VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P;
	vdev->mig_ops = &beta_lm_ops;
	return 0;
}
