"""A small queryable knowledge graph of what the meta levels learned.

Nodes have a ``kind`` (``"level"``, ``"policy"``, ``"pattern"``, ``"regime"``,
``"rule"``, ...), a key unique within the kind, and JSON-able attributes; edges have
a kind (``"derived-from"``, ``"applies-to"``, ``"improved-by"``, ...). Node ids are
``"<kind>:<key>"``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .errors import InvalidParameterError, StateFileError

__all__ = ["KnowledgeGraph"]


class KnowledgeGraph:
    """Nodes and typed edges with simple queries.

    Examples
    --------
    >>> g = KnowledgeGraph()
    >>> lvl = g.add_node("level", "1")
    >>> pat = g.add_node("pattern", "a,b", confidence=0.8)
    >>> g.add_edge(pat, lvl, "derived-from")
    >>> [n["id"] for n in g.nodes("pattern", where=lambda a: a["confidence"] > 0.5)]
    ['pattern:a,b']
    >>> g.neighbors(lvl, "derived-from", direction="in")
    ['pattern:a,b']
    """

    def __init__(self) -> None:
        self._nodes: dict[str, dict[str, Any]] = {}
        self._edges: list[tuple[str, str, str]] = []
        self._edge_set: set[tuple[str, str, str]] = set()

    def add_node(self, kind: str, key: str, **attrs: Any) -> str:
        """Add or update a node; returns its id."""
        if not kind or not isinstance(kind, str) or ":" in kind:
            raise InvalidParameterError(
                f"kind: expected a non-empty string without ':', got {kind!r}"
            )
        node_id = f"{kind}:{key}"
        node = self._nodes.setdefault(node_id, {"id": node_id, "kind": kind, "key": str(key)})
        node.update(attrs)
        return node_id

    def add_edge(self, src: str, dst: str, kind: str) -> None:
        """Add an edge (idempotent); both nodes must exist."""
        for end, name in ((src, "src"), (dst, "dst")):
            if end not in self._nodes:
                raise InvalidParameterError(f"{name}: unknown node {end!r}")
        edge = (src, dst, kind)
        if edge not in self._edge_set:
            self._edge_set.add(edge)
            self._edges.append(edge)

    def node(self, node_id: str) -> dict[str, Any]:
        try:
            return dict(self._nodes[node_id])
        except KeyError:
            raise InvalidParameterError(f"node_id: unknown node {node_id!r}") from None

    def nodes(
        self, kind: str | None = None, *, where: Callable[[Mapping[str, Any]], bool] | None = None
    ) -> list[dict[str, Any]]:
        """Nodes (copies) of ``kind`` satisfying ``where``, in insertion order."""
        out = []
        for n in self._nodes.values():
            if kind is not None and n["kind"] != kind:
                continue
            if where is not None and not where(n):
                continue
            out.append(dict(n))
        return out

    def edges(
        self, kind: str | None = None, *, src: str | None = None, dst: str | None = None
    ) -> list[tuple[str, str, str]]:
        return [
            e
            for e in self._edges
            if (kind is None or e[2] == kind)
            and (src is None or e[0] == src)
            and (dst is None or e[1] == dst)
        ]

    def neighbors(
        self, node_id: str, kind: str | None = None, *, direction: str = "out"
    ) -> list[str]:
        """Ids linked from (``"out"``) or to (``"in"``) ``node_id`` by edges of ``kind``."""
        if direction == "out":
            return [d for s, d, k in self._edges if s == node_id and (kind is None or k == kind)]
        if direction == "in":
            return [s for s, d, k in self._edges if d == node_id and (kind is None or k == kind)]
        raise InvalidParameterError(f"direction: expected 'in' or 'out', got {direction!r}")

    def __len__(self) -> int:
        return len(self._nodes)

    def to_state(self) -> dict[str, Any]:
        return {"nodes": list(self._nodes.values()), "edges": [list(e) for e in self._edges]}

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> KnowledgeGraph:
        g = cls()
        try:
            for n in state["nodes"]:
                g._nodes[n["id"]] = dict(n)
            for s, d, k in state["edges"]:
                g.add_edge(s, d, k)
        except (KeyError, TypeError, ValueError) as exc:
            raise StateFileError(f"state: bad knowledge graph: {exc}") from exc
        return g
