"""Render stage: model in, text artefacts out.

Inputs: a spec (and computed FSM data).  Outputs: strings -- rst, C,
trace-events lines, DOT, SVG, HTML.  Python prepares the data; every artefact's
layout is a Jinja2 template under ``templates/`` (``<artefact>.<ext>.j2``).
Escaping for each target language lives in :mod:`.escape`.
"""
