"""The Jinja2 environment every renderer uses.

Jinja2 is imported where the environment is built, not with this module, so
that importing a renderer (as ``artefacts``, ``update`` and the command
modules do at module level) costs nothing until something is rendered: this
is the one deferral of Jinja2 in the package.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from . import escape

if TYPE_CHECKING:
    import jinja2


def _finalize(value: object) -> object:
    """Every value a template prints: no control character reaches an output raw,
    whatever filter (or none) the template used.  Markup stays Markup."""
    if isinstance(value, str):
        import markupsafe  # loaded already: Jinja2 imports it

        cleaned = escape.visible(value)
        if cleaned != value:
            return markupsafe.Markup(cleaned) if isinstance(value, markupsafe.Markup) else cleaned
    return value


@cache
def environment() -> jinja2.Environment:
    """Templates from the package, strict about undefined names, with the escaping filters."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("migspec", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        finalize=_finalize,
    )
    env.filters.update(
        c_string=escape.c_string,
        c_comment=escape.c_comment,
        comment_wrap=escape.comment_wrap,
        c_code_line=escape.c_code_line,
        c_identifier=escape.c_identifier,
        rst_text=escape.rst_text,
        rst_literal_line=escape.rst_literal_line,
        dot_string=escape.dot_string,
        dot_html=escape.dot_html,
        trace_text=escape.trace_format_text,
        svg_inline=escape.svg_inline,
        html_id=escape.html_id,
        yaml=escape.yaml_scalar,
    )
    return env


def render_template(name: str, **context: object) -> str:
    return environment().get_template(name).render(**context)
