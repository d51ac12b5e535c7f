int vfio_mig_get_next_state(void) { return 0; }
