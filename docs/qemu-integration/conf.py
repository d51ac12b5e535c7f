# Added to QEMU's docs/conf.py: the flow drawings of
# docs/devel/migration/vfio.rst, the C and the trace events are checked
# against the spec on every docs build; a disagreement is a Sphinx warning,
# so "sphinx-build -W" fails on it.
extensions += ["migspec.sphinxext"]  # noqa: F821 (QEMU's conf.py defines it)
migspec_spec = "devel/migration/vfio-migration.yaml"
migspec_source_root = ".."
# The one note on master (the notifier that returns the device to RUNNING
# when migration fails, which no flow draws) is not a warning.
migspec_check = "warning"
