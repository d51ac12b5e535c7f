// SPDX-License-Identifier: GPL-2.0-only
/* alpha: the features are declared here, away from the ops. */
#include "alpha.h"

void alpha_enable_migration(struct alpha_vf *vf,
			    const struct vfio_migration_ops *ops)
{
	if (!vf->can_migrate)
		return;
	vf->vdev.migration_flags =
		VFIO_MIGRATION_STOP_COPY |
		VFIO_MIGRATION_P2P |
		VFIO_MIGRATION_PRE_COPY;
	vf->vdev.mig_ops = ops;
}
