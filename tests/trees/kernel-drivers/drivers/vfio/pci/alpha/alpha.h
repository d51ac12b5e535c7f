/* SPDX-License-Identifier: GPL-2.0-only */
/* A fixture driver for migspec's tests: state lives in the core device. */
#ifndef ALPHA_H
#define ALPHA_H

#include <linux/vfio.h>

struct alpha_vf {
	struct vfio_device vdev;
	struct mutex lock;
	u32 state;
	bool can_migrate;
};

void alpha_enable_migration(struct alpha_vf *vf,
			    const struct vfio_migration_ops *ops);

#endif
