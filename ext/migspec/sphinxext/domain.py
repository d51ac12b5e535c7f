"""The ``migspec`` Sphinx domain: state link targets shared across documents.

Cross-document state lives here (not in module globals) so parallel reads
merge it: ``clear_doc`` forgets what a re-read document defined,
``merge_domaindata`` folds in what parallel workers found.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from typing import Any, ClassVar, cast

from docutils import nodes
from docutils.nodes import Element
from sphinx.addnodes import pending_xref
from sphinx.builders import Builder
from sphinx.domains import Domain, ObjType
from sphinx.environment import BuildEnvironment
from sphinx.roles import XRefRole
from sphinx.util.nodes import make_refnode

from ..diagnostics import closest
from . import context


def state_target_id(name: str) -> str:
    return nodes.make_id(f"migspec-state-{name}")


class StateRole(XRefRole):
    """``:migspec:state:`STOP_COPY``` links to the state's row in ``migspec:states``.

    A name the spec does not define warns at the rst line (subtype
    ``state-unknown``) and is shown as plain literal text.
    """

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        target = self.target.strip() if self.has_explicit_title else self.title.strip()
        spec = context.spec_or_warn(self.env, (self.env.docname, self.lineno))
        if spec is not None and target not in spec.state_map:
            hint = closest(target, spec.state_map)
            extra = f"; did you mean '{hint}'?" if hint else ""
            context.logger.warning(
                "unknown state '%s'%s",
                target,
                extra,
                type="migspec",
                subtype="state-unknown",
                location=(self.env.docname, self.lineno),
            )
            return [nodes.literal(self.rawtext, self.title)], []
        return super().run()


class MigspecDomain(Domain):
    name = "migspec"
    label = "migspec"
    object_types: ClassVar[dict[str, ObjType]] = {"state": ObjType("state", "state")}
    roles: ClassVar[dict[str, Any]] = {"state": StateRole(warn_dangling=True)}
    initial_data: ClassVar[dict[str, Any]] = {"states": {}}
    # Bump when the shape of domain data changes (forces a re-read).
    data_version = 1

    @property
    def states(self) -> dict[str, tuple[str, str]]:
        """state name -> (docname, node id)."""
        return cast(dict[str, tuple[str, str]], self.data.setdefault("states", {}))

    def note_state(self, name: str, docname: str, node_id: str) -> None:
        self.states.setdefault(name, (docname, node_id))

    def clear_doc(self, docname: str) -> None:
        for name, (doc, _) in list(self.states.items()):
            if doc == docname:
                del self.states[name]

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        for name, (doc, node_id) in otherdata.get("states", {}).items():
            if doc in docnames:
                self.states.setdefault(name, (doc, node_id))

    def resolve_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        typ: str,
        target: str,
        node: pending_xref,
        contnode: Element,
    ) -> nodes.reference | None:
        found = self.states.get(target)
        if found is None:
            return None
        docname, node_id = found
        return make_refnode(builder, fromdocname, docname, node_id, contnode, f"state {target}")

    def resolve_any_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        target: str,
        node: pending_xref,
        contnode: Element,
    ) -> list[tuple[str, nodes.reference]]:
        ref = self.resolve_xref(env, fromdocname, builder, "state", target, node, contnode)
        return [("migspec:state", ref)] if ref is not None else []

    def get_objects(self) -> Iterable[tuple[str, str, str, str, str, int]]:
        for name, (docname, node_id) in self.states.items():
            yield name, name, "state", docname, node_id, 1
