"""The validated spec as one value: what `build.py` makes and every later stage reads."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from govkit.diagnostics import Path
from govkit.spec import model

PrincipalKind = Literal["group", "service_principal", "user"]


@dataclass(frozen=True)
class DomainDoc:
    file: str
    domain: model.Domain


@dataclass(frozen=True)
class Declared:
    """A declared principal: where it is, what kind, and how Unity Catalog names it."""

    name: str
    kind: PrincipalKind
    file: str
    path: Path
    uc_name: str
    environments: tuple[str, ...] | None
    waivers: tuple[model.Waiver, ...]


@dataclass(frozen=True)
class Spec:
    """The whole validated spec: one organisation, every principal, every domain."""

    root: str
    organisation: model.Organisation
    organisation_file: str
    principals: Mapping[str, Declared]
    groups: Mapping[str, model.Group]
    service_principals: Mapping[str, model.ServicePrincipal]
    users: Mapping[str, model.User]
    domains: tuple[DomainDoc, ...]
    # Spec files that every stack depends on (organisation and principal files).
    shared_files: tuple[str, ...] = field(default=())
    # Principals whose declaration did not validate: reported there, not where they are used.
    invalid_principals: frozenset[str] = frozenset()

    def uc_name(self, principal: str) -> str:
        return self.uc_names.get(principal, principal)

    @functools.cached_property
    def uc_names(self) -> Mapping[str, str]:
        """Declared name -> Unity Catalog name (`sp-uc-deploy-prod` -> its application id)."""
        return {name: d.uc_name for name, d in self.principals.items()}

    @functools.cached_property
    def declared_names(self) -> Mapping[str, str]:
        """Unity Catalog name -> declared name (an application id -> `sp-uc-deploy-prod`)."""
        return {d.uc_name: name for name, d in self.principals.items()}
