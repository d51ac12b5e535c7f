/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Test fixture for migspec: a cut-down uAPI header in the shape of the
 * kernel's include/uapi/linux/vfio.h.  Written for migspec's tests.
 */
#ifndef _UAPIVFIO_H
#define _UAPIVFIO_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define VFIO_API_VERSION	0

struct vfio_device_feature_migration {
	__aligned_u64 flags;
#define VFIO_MIGRATION_STOP_COPY	(1 << 0)
#define VFIO_MIGRATION_P2P		(1 << 1)
#define VFIO_MIGRATION_PRE_COPY		(1 << 2)
};
#define VFIO_DEVICE_FEATURE_MIGRATION 1

struct vfio_device_feature_mig_state {
	__u32 device_state; /* From enum vfio_device_mig_state */
	__s32 data_fd;
};
#define VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE 2

/*
 * Test fixture text, written for migspec in the layout of the kernel's
 * comment on the migration state machine.
 *
 * Five states come with VFIO_MIGRATION_STOP_COPY:
 *  RUNNING - The device runs
 *  STOP - The device is quiet
 *  STOP_COPY - The device is quiet and its state is read out
 *  RESUMING - The device is quiet and a state is written in
 *  ERROR - The device failed
 *
 * Optional states come with VFIO_MIGRATION_P2P:
 *  RUNNING_P2P - RUNNING, except that no P2P DMA is started
 * And with VFIO_MIGRATION_PRE_COPY:
 *  PRE_COPY - The device runs while its state is read out
 * And with VFIO_MIGRATION_P2P | VFIO_MIGRATION_PRE_COPY:
 *  PRE_COPY_P2P - PRE_COPY, except that no P2P DMA is started
 *
 * The arcs a driver implements:
 *
 * RUNNING_P2P -> STOP
 * STOP_COPY -> STOP
 *   The device stops.
 *
 *   From STOP_COPY the arc closes the data session.
 *
 * RESUMING -> STOP
 *   The written state is loaded and checked; the data session closes.
 *
 * PRE_COPY -> RUNNING
 * RUNNING_P2P -> RUNNING
 *   The device runs fully.
 *
 * PRE_COPY_P2P -> RUNNING_P2P
 * RUNNING -> RUNNING_P2P
 * STOP -> RUNNING_P2P
 *   The device runs without starting P2P DMA.
 *
 * RUNNING -> PRE_COPY
 * RUNNING_P2P -> PRE_COPY_P2P
 * STOP -> STOP_COPY
 *   PRE_COPY, PRE_COPY_P2P and STOP_COPY form the "saving group" of states.
 *   These arcs open a data session and return a new data_fd.
 *
 * PRE_COPY -> PRE_COPY_P2P
 *   P2P DMA stops; the session goes on.
 *
 * PRE_COPY_P2P -> PRE_COPY
 *   P2P DMA starts again; the session goes on.
 *
 * PRE_COPY_P2P -> STOP_COPY
 *   The device stops and the rest of its state is read out.
 *
 * STOP -> RESUMING
 *   A new state is written in; these arcs return a new data_fd.
 *
 * STOP_COPY -> PRE_COPY
 * STOP_COPY -> PRE_COPY_P2P
 *   These arcs are not permitted and fail.
 *
 * any -> ERROR
 *   A failed arc may leave the device in ERROR; only a reset leaves it.
 *
 * Other requests combine the arcs above, by these rules:
 *   - Select the shortest path.
 *   - A path passes through saving group states only at its ends, unless
 *     it stays in the group.
 *
 * Arcs touching PRE_COPY and PRE_COPY_P2P are removed if support for PRE_COPY
 * is not present.
 */
enum vfio_device_mig_state {
	VFIO_DEVICE_STATE_ERROR = 0,
	VFIO_DEVICE_STATE_STOP = 1,
	VFIO_DEVICE_STATE_RUNNING = 2,
	VFIO_DEVICE_STATE_STOP_COPY = 3,
	VFIO_DEVICE_STATE_RESUMING = 4,
	VFIO_DEVICE_STATE_RUNNING_P2P = 5,
	VFIO_DEVICE_STATE_PRE_COPY = 6,
	VFIO_DEVICE_STATE_PRE_COPY_P2P = 7,
};

/* Version 1 of the protocol: bit flags, not an enum (never compared). */
#define VFIO_DEVICE_STATE_V1_STOP      (0)
#define VFIO_DEVICE_STATE_V1_RUNNING   (1 << 0)

#endif /* _UAPIVFIO_H */
