/* SPDX-License-Identifier: GPL-2.0-only */
/* A fixture driver for migspec's tests: the step function is in lm.c. */
#ifndef BETA_H
#define BETA_H

#include <linux/vfio.h>

struct beta_dev {
	struct vfio_device vdev;
	struct mutex mig_lock;
	enum vfio_device_mig_state mig_state;
};

struct file *beta_step_locked(struct beta_dev *bd,
			      enum vfio_device_mig_state target);

#endif
