/* hostile case */

#define DEFINE_TO_STR(fn) static const char *fn(enum vfio_device_mig_state state) { switch (state) { default: return "?"; } }
DEFINE_TO_STR(mig_state_to_str)
