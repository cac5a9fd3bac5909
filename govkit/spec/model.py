"""The spec's shape: frozen Pydantic models for the organisation, principal and domain files.

Shape only. Whether names refer to something declared, and whether a privilege fits its
securable, is checked in `govkit.spec.references` where the whole spec is known.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from govkit.privileges import normalise

# Unity Catalog object names: no period, space, slash or control character; at most 255.
Identifier = Annotated[
    str, StringConstraints(min_length=1, max_length=255, pattern=r"^[^.\s/\x00-\x1f\x7f`]+$")
]
RuleCode = Annotated[str, StringConstraints(pattern=r"^GOV\d{3}$")]
Text = Annotated[str, StringConstraints(max_length=4096)]


def _none_as_empty(value: Any) -> Any:
    """`raw:` with nothing after it means an empty mapping, as `raw: {}` does."""
    return {} if value is None else value


def _normalise_privileges(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(normalise(v) if isinstance(v, str) else v for v in value)
    return value


Privileges = Annotated[tuple[str, ...], BeforeValidator(_normalise_privileges)]


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=False)


class Waiver(Strict):
    """Waives one rule on the object it sits on, for a reason, until a date."""

    rule: RuleCode
    reason: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
    expires: dt.date


class Environment(Strict):
    workspaces: tuple[int, ...] = ()
    protected: bool = False
    deployer: str | None = None
    description: Text = ""


class Backend(Strict):
    """Where each stack keeps its Terraform state; `config` goes into the backend block."""

    type: Literal["local", "azurerm", "s3", "gcs"] = "local"
    config: dict[str, str | int | bool] = Field(default_factory=dict)


class TerraformSettings(Strict):
    backend: Backend = Backend()
    provider_version: str = "~> 1.128"
    required_version: str = ">= 1.5.0"
    # A domain stack is split further when it would hold more grant resources than this.
    max_grant_resources: int = Field(default=2000, ge=10)


class DriftSettings(Strict):
    # Platform principals that govkit never fights over (metastore admins, the deployer).
    ignore_principals: tuple[str, ...] = ()


GitHubTeam = Annotated[str, StringConstraints(pattern=r"^@[A-Za-z0-9][\w.-]*/[\w.-]+$")]


class CodeOwners(Strict):
    """Who approves spec changes on GitHub (`govkit codeowners` writes .github/CODEOWNERS)."""

    platform: GitHubTeam  # the organisation and principal files
    teams: dict[str, GitHubTeam] = Field(default_factory=dict)  # owner group -> its team


# YAML 1.1 reads a bare `off` as false; `GOV207: off` means the rule is off.
RuleLevel = Annotated[
    Literal["error", "warning", "note", "off"],
    BeforeValidator(lambda v: "off" if v is False else v),
]


class Organisation(Strict):
    """The organisation file: environments, naming, access levels, rule severities."""

    version: Literal[1]
    catalog_name: str = "{domain}_{env}"
    metastore_id: str | None = None
    environments: dict[Identifier, Environment] = Field(min_length=1)
    access_levels: dict[Identifier, Privileges] = Field(default_factory=dict)
    rules: dict[str, RuleLevel] = Field(default_factory=dict)
    terraform: TerraformSettings = TerraformSettings()
    drift: DriftSettings = DriftSettings()
    codeowners: CodeOwners | None = None


class Federation(Strict):
    """A workload identity federation policy so that CI needs no long-lived secret."""

    issuer: str
    subject: str
    audiences: tuple[str, ...] = ()


class Group(Strict):
    entra_object_id: str | None = None
    description: Text = ""
    environments: tuple[str, ...] | None = None
    waivers: tuple[Waiver, ...] = ()


class ServicePrincipal(Strict):
    application_id: str
    description: Text = ""
    environments: tuple[str, ...] | None = None
    federation: Federation | None = None
    waivers: tuple[Waiver, ...] = ()


class User(Strict):
    description: Text = ""
    environments: tuple[str, ...] | None = None
    waivers: tuple[Waiver, ...] = ()


class Principals(Strict):
    groups: Annotated[dict[str, Group], BeforeValidator(_none_as_empty)] = Field(
        default_factory=dict
    )
    service_principals: Annotated[dict[str, ServicePrincipal], BeforeValidator(_none_as_empty)] = (
        Field(default_factory=dict)
    )
    users: Annotated[dict[str, User], BeforeValidator(_none_as_empty)] = Field(default_factory=dict)


class Grant(Strict):
    """`access: LEVEL` or `privileges: [...]` for one principal, optionally narrowed."""

    principal: str
    access: str | None = None
    privileges: Privileges | None = None
    environments: tuple[str, ...] | None = None
    expires: dt.date | None = None
    reason: Text = ""
    waivers: tuple[Waiver, ...] = ()


Grants = Annotated[tuple[Grant, ...], BeforeValidator(lambda v: () if v is None else v)]


class Table(Strict):
    owner: str | None = None
    comment: Text = ""
    grants: Grants = ()
    waivers: tuple[Waiver, ...] = ()


class Schema(Strict):
    owner: str | None = None
    comment: Text = ""
    grants: Grants = ()
    tables: Annotated[dict[Identifier, Table], BeforeValidator(_none_as_empty)] = Field(
        default_factory=dict
    )
    waivers: tuple[Waiver, ...] = ()


class Domain(Strict):
    """A domain file: one catalog per environment, with schemas, tables and grants."""

    domain: Identifier
    owner: str
    # The catalog's name where it does not follow the organisation's `catalog_name` (a catalog
    # adopted by `govkit import`); such a domain lives in one environment.
    catalog: Identifier | None = None
    comment: Text = ""
    environments: tuple[str, ...] | None = None
    authority: Literal["authoritative", "additive"] = "authoritative"
    grants: Grants = ()
    schemas: Annotated[dict[Identifier, Schema], BeforeValidator(_none_as_empty)] = Field(
        default_factory=dict
    )
    waivers: tuple[Waiver, ...] = ()
