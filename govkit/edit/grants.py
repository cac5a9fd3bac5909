"""Grant entries in a domain document: find a securable, add a grant, take privileges away.

Works on the ruamel.yaml tree of one domain file (`Document`). Privileges are compared in API
spelling after access levels are expanded for the securable's type, as the resolver does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from govkit.edit.document import Document, EditRefused
from govkit.edit.nodes import delete_item, flow_list
from govkit.privileges import SecurableType, expand_level


@dataclass(frozen=True)
class Target:
    """A securable inside a domain: the catalog, one of its schemas, or one of their tables."""

    domain: str
    schema: str | None = None
    table: str | None = None

    @property
    def type(self) -> SecurableType:
        if self.table is not None:
            return SecurableType.TABLE
        return SecurableType.SCHEMA if self.schema is not None else SecurableType.CATALOG

    def ancestors(self) -> list[Target]:
        """This securable and every securable above it, itself first."""
        out = [self]
        if self.table is not None:
            out.append(Target(self.domain, self.schema))
        if self.schema is not None:
            out.append(Target(self.domain))
        return out

    def label(self, catalog: str) -> str:
        return ".".join(p for p in (catalog, self.schema, self.table) if p)


@dataclass(frozen=True)
class GrantChange:
    """Privileges one principal gains or loses on one securable in one environment."""

    principal: str
    privileges: tuple[str, ...]
    environment: str
    target: Target
    expires: dt.date | None = None
    # The USE_CATALOG / USE_SCHEMA grants added with it, so that it leads somewhere.
    path: tuple[str, ...] = ()
    renews: bool = False  # an entry with other terms was renewed, not a second one added


def chain(doc: Document, target: Target) -> list[Any]:
    """The ruamel mappings from the root down to `target` (root first); `raw:` becomes `{}`."""
    nodes: list[Any] = [doc.data]
    for key, name in (("schemas", target.schema), ("tables", target.table)):
        if name is None:
            break
        section = nodes[-1].get(key) if isinstance(nodes[-1], Mapping) else None
        if not isinstance(section, CommentedMap) or name not in section:
            raise EditRefused(doc.file, f"no {key[:-1]} {name!r} in domain {target.domain}")
        if section[name] is None:
            section[name] = CommentedMap()
        nodes.append(section[name])
    return nodes


def applies_in(entry: Mapping[str, Any], env: str) -> bool:
    envs = entry.get("environments")
    return envs is None or env in envs


def entry_privileges(
    entry: Mapping[str, Any], on: SecurableType, levels: Mapping[str, tuple[str, ...]]
) -> set[str]:
    from govkit.privileges import normalise

    if entry.get("access") is not None:
        return set(expand_level(levels.get(str(entry["access"]), ()), on))
    return {normalise(str(p)) for p in entry.get("privileges") or ()}


def _expiry(entry: Mapping[str, Any]) -> dt.date | None:
    value = entry.get("expires")
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value is not None else None
    except ValueError:
        return None


def held(
    grants: list[list[Any]],
    target: Target,
    principal: str,
    env: str,
    levels: Mapping[str, tuple[str, ...]],
    today: dt.date,
    until: dt.date | None = None,
) -> dict[str, Target]:
    """Privileges `principal` holds directly on `target` or an ancestor, each with where.

    `grants` holds the entries of the catalog, then the schema, then the table. Only grants in
    force today count, and only those that last until `until` (None: for good).
    """
    out: dict[str, Target] = {}
    for level, entries in zip(reversed(target.ancestors()), grants, strict=True):
        for entry in entries:
            if not isinstance(entry, Mapping) or entry.get("principal") != principal:
                continue
            expires = _expiry(entry)
            if not applies_in(entry, env) or (expires is not None and expires < today):
                continue
            if expires is not None and (until is None or expires < until):
                continue
            for privilege in entry_privileges(entry, target.type, levels):
                out[privilege] = level
    return out


def _insert_grants(node: CommentedMap, target: Target) -> CommentedSeq:
    seq = CommentedSeq()
    follows = "schemas" if target.type is SecurableType.CATALOG else "tables"
    keys = list(node)
    position = keys.index(follows) if follows in keys else len(keys)
    if node.fa.flow_style():
        node.fa.set_block_style()
    node.insert(position, "grants", seq)
    return seq


def new_entry(
    principal: str,
    access: str | None,
    privileges: tuple[str, ...] | None,
    env: str,
    expires: dt.date | None,
    reason: str,
) -> CommentedMap:
    entry = CommentedMap()
    entry["principal"] = principal
    if access is not None:
        entry["access"] = access
    else:
        entry["privileges"] = flow_list(list(privileges or ()))
    entry["environments"] = flow_list([env])
    if expires is not None:
        entry["expires"] = expires
    if reason:
        entry["reason"] = reason
    return entry


def add_entry(doc: Document, nodes: list[Any], target: Target, entry: CommentedMap) -> None:
    """Append a grant entry to the last of `nodes`, in the style of the entries already there."""
    node = nodes[-1]
    seq = node.get("grants")
    if not isinstance(seq, CommentedSeq):
        doc.check_editable(nodes, f"the {target.type.value} {target.label(target.domain)}")
        seq = _insert_grants(node, target)
    else:
        doc.check_editable([*nodes, seq], f"the grants of {target.label(target.domain)}")
    siblings = [e for e in seq if isinstance(e, CommentedMap)]
    if siblings and all(e.fa.flow_style() for e in siblings):
        entry.fa.set_flow_style()
    lists = [v for e in siblings for v in e.values() if isinstance(v, CommentedSeq)]
    if lists and not any(v.fa.flow_style() for v in lists):
        for value in entry.values():  # the siblings write their lists one item a line
            if isinstance(value, CommentedSeq):
                value.fa.set_block_style()
    seq.append(entry)


def narrow(entry: CommentedMap, envs: list[str], last: bool = False) -> None:
    """Make a grant entry apply in `envs` only: its `environments:` replaced, or added after
    what it grants (`last`: after every key, as import's merge writes it)."""
    if "environments" in entry or last:
        entry["environments"] = flow_list(envs)
        return
    keys = list(entry)
    after = max(keys.index(k) for k in ("principal", "access", "privileges") if k in keys)
    entry.insert(after + 1, "environments", flow_list(envs))


def _set_privileges(entry: CommentedMap, privileges: list[str]) -> None:
    keys = list(entry)
    if "access" in entry:
        position = keys.index("access")
        del entry["access"]
        entry.insert(position, "privileges", flow_list(privileges))
    else:
        entry["privileges"] = flow_list(privileges)


def revoke_entries(
    doc: Document,
    nodes: list[Any],
    target: Target,
    principal: str,
    env: str,
    revoke: set[str] | None,
    domain_envs: list[str],
    levels: Mapping[str, tuple[str, ...]],
) -> set[str]:
    """Take `revoke` (None: everything) from `principal` at `target` in `env`; return what went."""
    seq = nodes[-1].get("grants") if isinstance(nodes[-1], Mapping) else None
    if not isinstance(seq, CommentedSeq):
        return set()
    removed: set[str] = set()
    for entry in list(_matching(seq, principal, env)):
        doc.check_editable([*nodes, seq, entry], f"the grant to {principal}")
        holds = entry_privileges(entry, target.type, levels)
        keep = sorted(holds - revoke) if revoke is not None else []
        if len(keep) == len(holds):
            continue
        removed |= holds - set(keep)
        others = [e for e in domain_envs if applies_in(entry, e) and e != env]
        if others:
            narrow(entry, others)
            if keep:
                copy = new_entry(principal, None, tuple(keep), env, entry.get("expires"), "")
                if entry.get("reason"):
                    copy["reason"] = entry["reason"]
                if entry.fa.flow_style():
                    copy.fa.set_flow_style()
                seq.insert(_position(seq, entry) + 1, copy)
        elif keep:
            _set_privileges(entry, keep)
        else:
            delete_item(seq, _position(seq, entry))
    if not seq:
        del nodes[-1]["grants"]
    return removed


def renew_entry(
    doc: Document,
    nodes: list[Any],
    target: Target,
    entry: CommentedMap,
    domain_envs: list[str],
    levels: Mapping[str, tuple[str, ...]],
) -> bool:
    """Give an entry with the same principal and privileges the new expiry and reason.

    False when there is no such entry. An entry that also applies in other environments keeps
    its terms there: it is narrowed to them, and a copy with the new terms follows it.
    """
    seq = nodes[-1].get("grants") if isinstance(nodes[-1], Mapping) else None
    if not isinstance(seq, CommentedSeq):
        return False
    env = entry["environments"][0]
    wanted = entry_privileges(entry, target.type, levels)
    for old in _matching(seq, str(entry["principal"]), env):
        if entry_privileges(old, target.type, levels) != wanted:
            continue
        doc.check_editable([*nodes, seq, old], f"the grant to {entry['principal']}")
        others = [e for e in domain_envs if applies_in(old, e) and e != env]
        if others:
            narrow(old, others)
            if old.fa.flow_style():
                entry.fa.set_flow_style()
            seq.insert(_position(seq, old) + 1, entry)
            return True
        for key in ("expires", "reason"):
            if key in entry:
                old[key] = entry[key]
            elif key == "expires" and key in old:
                del old[key]
        return True
    return False


def _matching(seq: CommentedSeq, principal: str, env: str) -> Iterator[CommentedMap]:
    for entry in seq:
        principal_matches = isinstance(entry, CommentedMap) and entry["principal"] == principal
        if principal_matches and applies_in(entry, env):
            yield entry


def _position(seq: CommentedSeq, entry: CommentedMap) -> int:
    # By identity: two equal entries are still two entries.
    return next(i for i, e in enumerate(seq) if e is entry)
