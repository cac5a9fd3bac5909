"""The rule base: a rule is a class with a permanent code, a dotted name and a docstring.

The docstring is the rule's documentation (`govkit rules explain CODE`, docs/rules.md): a
one-line summary, the rationale, then a bad and a good example. A rule yields `Finding`s that
name a spec file and a document path; the engine turns them into diagnostics, applies the
organisation's severity configuration and the spec's waivers, and reports them once.

Where a rule can run. Every rule is checked today on the spec (`Rule.check(ctx)`), where a
finding points at the YAML that caused it. `scope` says what a rule needs:

- `Scope.SPEC`: it needs what only the spec has (origins, `reason:`, `expires:`, waivers,
  workspace lists). Drift and audit cannot run it on a live metastore.
- `Scope.STATE`: it needs only what a State document carries (securables, owners, direct grants
  by Unity Catalog name) plus the organisation's environments and declared principals. Drift and
  audit will run it on a live snapshot by adding `check_state(state, ctx)` to the rule, yielding
  findings whose `file` is the securable's full name (as live diagnostics are named) and whose
  `path` is empty; the engine stays the same.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from govkit.diagnostics import Path, Severity
from govkit.policy.waiverbook import Holder as Holder

if TYPE_CHECKING:
    from govkit.policy.context import Context
    from govkit.resolve import DesiredEnvironment
    from govkit.state import State


class Scope(str, enum.Enum):
    SPEC = "spec"
    STATE = "state"
    IDENTITIES = "identities"  # needs an identities document: `govkit identities check`


@dataclass(frozen=True)
class Finding:
    """One problem that a rule found, before severity and waivers are applied."""

    message: str
    file: str
    path: Path
    hint: str = ""
    at_key: bool = False
    # Objects whose waivers for this rule silence this finding (grant, securables, principal).
    waivable_by: tuple[Holder, ...] = ()


class Rule:
    """Base of every policy rule; subclasses set the class attributes and `check`."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    scope: ClassVar[Scope] = Scope.SPEC

    def check(self, ctx: Context) -> Iterator[Finding]:
        raise NotImplementedError

    def check_state(self, state: State, env: DesiredEnvironment, ctx: Context) -> Iterator[Finding]:
        """Findings on a live State of `env`, named by securable (Scope.STATE rules only)."""
        return iter(())

    @classmethod
    def documentation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        return cls.documentation().split("\n", 1)[0]


def and_list(items: list[str] | tuple[str, ...]) -> str:
    """`a`, `a and b`, `a, b and c`: environments and privileges in messages."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def environments_phrase(names: list[str] | tuple[str, ...], protected: bool = False) -> str:
    kind = "protected environment" if protected else "environment"
    return f"{kind}{'s' * (len(names) != 1)} {and_list(list(names))}"
