extensions = ["migspec.sphinxext"]
