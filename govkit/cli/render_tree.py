"""Readable text views of the desired estate."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping

from govkit.privileges import SecurableType
from govkit.resolve import DesiredEnvironment
from govkit.spec.build import Spec
from govkit.state import Securable


def _who(spec: Spec, uc_name: str, declared: Mapping[str, str]) -> str:
    name = declared.get(uc_name, uc_name)
    return name if name == uc_name else f"{name} ({uc_name})"


def count(n: int, noun: str) -> str:
    """`1 table`, `2 tables`."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def render_summary(spec: Spec, environments: tuple[DesiredEnvironment, ...]) -> str:
    lines = []
    for env in environments:
        counts = Counter(s.type for s in env.state.securables)
        grants = sum(len(s.grants) for s in env.state.securables)
        flags = "protected" if env.protected else "open"
        # Catalogs, schemas and tables always; the other kinds (storage) when declared.
        always = (SecurableType.CATALOG, SecurableType.SCHEMA, SecurableType.TABLE)
        parts = [
            count(counts[t], t.value.replace("_", " "))
            for t in SecurableType
            if t in always or counts[t]
        ] + [
            count(grants, "principal grant"),
            count(len(env.expired), "expired grant") + " left out",
        ]
        workspaces = count(len(env.workspaces), "workspace")
        lines.append(f"{env.name} ({flags}, {workspaces}): {', '.join(parts)}")
    return "".join(line + "\n" for line in lines)


_NESTED = frozenset(
    t for t in SecurableType if t.value in ("schema", "table", "volume", "function")
)


def _children(securables: Iterable[Securable]) -> dict[str, list[Securable]]:
    """Each securable under its parent's name ("" for catalogs and other top-level objects)."""
    out: dict[str, list[Securable]] = defaultdict(list)
    for s in securables:
        parent = s.name.rsplit(".", 1)[0] if s.type in _NESTED else ""
        out[parent].append(s)
    return out


def render_tree(spec: Spec, environments: tuple[DesiredEnvironment, ...]) -> str:
    """Each schema under its own catalog, each table under its own schema."""
    declared = spec.declared_names
    accountable = {
        (s.type, s.name): s.accountable_owner for e in environments for s in e.securables
    }

    def lines(s: Securable, depth: int) -> Iterator[str]:
        pad = "  " * depth
        short = s.name.rsplit(".", 1)[-1] if s.type in _NESTED else s.name
        line = f"{pad}{s.type.value} {short}  owner {_who(spec, s.owner or '', declared)}"
        owner_of_record = accountable.get((s.type, s.name))
        if owner_of_record and owner_of_record != declared.get(s.owner or ""):
            line += f", accountable {owner_of_record}"
        if s.isolation_mode:
            line += f"  {s.isolation_mode}"
        yield line
        for principal, privileges in s.grants.items():
            yield f"{pad}  {_who(spec, principal, declared)}: {', '.join(privileges)}"
        for child in children.get(s.name, ()):
            yield from lines(child, depth + 1)

    out: list[str] = []
    for env in environments:
        head = f"environment {env.name}"
        if env.protected:
            head += f" (protected, deployer {env.deployer})"
        out.append(f"{head}; workspaces {', '.join(map(str, env.workspaces)) or 'none'}")
        children = _children(env.state.securables)
        for top in children.get("", ()):
            out.extend(lines(top, 1))
        for g in env.expired:
            out.append(f"  expired {g.expires}: {g.principal} on {g.securable} (left out)")
    out.append("")
    out.append(render_summary(spec, environments).rstrip("\n"))
    return "\n".join(out) + "\n"
