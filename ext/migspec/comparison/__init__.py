"""Review: two versions of a spec compared, and the comparison reported.

:mod:`.compare` decides what differs (every model field, how every request
ends, each flow and C artefact as rendered); :mod:`.report` only lays a
finished comparison out as text, JSON or HTML, through the templates.  The
two specs are read (from files or git revisions) by
:mod:`migspec.load.revision`.
"""
