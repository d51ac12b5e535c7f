// SPDX-License-Identifier: GPL-2.0-only
/* beta: operands either way round, the target parameter named "target". */
#include "beta.h"

static struct file *beta_stream(struct beta_dev *bd, int dir)
{
	return NULL;
}

struct file *beta_step_locked(struct beta_dev *bd,
			      enum vfio_device_mig_state target)
{
	enum vfio_device_mig_state from = bd->mig_state;

	if (VFIO_DEVICE_STATE_STOP == from && VFIO_DEVICE_STATE_STOP_COPY == target)
		return beta_stream(bd, 0);

	if (from == VFIO_DEVICE_STATE_STOP_COPY && target == VFIO_DEVICE_STATE_STOP)
		return NULL;

	if (target == VFIO_DEVICE_STATE_RESUMING && from == VFIO_DEVICE_STATE_STOP)
		return beta_stream(bd, 1);

	if (from == VFIO_DEVICE_STATE_RESUMING && target == VFIO_DEVICE_STATE_STOP)
		return NULL;

	if (from == VFIO_DEVICE_STATE_RUNNING &&
	    target == VFIO_DEVICE_STATE_RUNNING_P2P)
		return NULL;

	if (from == VFIO_DEVICE_STATE_RUNNING_P2P &&
	    target == VFIO_DEVICE_STATE_RUNNING)
		return NULL;

	if (from == VFIO_DEVICE_STATE_STOP && target == VFIO_DEVICE_STATE_RUNNING_P2P)
		return NULL;

	if (from == VFIO_DEVICE_STATE_RUNNING_P2P && target == VFIO_DEVICE_STATE_STOP)
		return NULL;

	return ERR_PTR(-EINVAL);
}
