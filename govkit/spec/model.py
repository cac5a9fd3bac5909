"""The spec's shape: frozen Pydantic models for the organisation, principal and domain files.

Shape only. Whether names refer to something declared, and whether a privilege fits its
securable, is checked in `govkit.spec.references` where the whole spec is known.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

from govkit.privileges import normalise

# Unity Catalog object names: no period, space, slash or control character; at most 255.
Identifier = Annotated[
    str, StringConstraints(min_length=1, max_length=255, pattern=r"^[^.\s/\x00-\x1f\x7f`]+$")
]


def _lower_case(value: str) -> str:
    """Unity Catalog stores catalog, schema and table names in lower case: a declared `Sales`
    would be created as `sales`, and compared, planned and audited under a name no file has."""
    if value != value.lower():
        raise PydanticCustomError(
            "lower_case_name", "Unity Catalog stores names in lower case: write {lower}",
            {"lower": value.lower()},
        )  # fmt: skip
    return value


# A domain, catalog, schema or table name: an Identifier in lower case (GOV016).
SecurableName = Annotated[Identifier, AfterValidator(_lower_case)]
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

    rule: RuleCode = Field(
        description="The code of the rule waived here, e.g. GOV201 (`govkit rules` lists them).",
        examples=["GOV206"],
    )
    reason: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)] = Field(
        description="Why the rule does not apply here: the ticket and who approved it.",
        examples=["SEC-112 break-glass access approved by the CISO"],
    )
    expires: dt.date = Field(
        description="The last day the waiver holds (YYYY-MM-DD); after it the rule applies again.",
        examples=["2027-03-31"],
    )
    approved_by: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)] | None = (
        Field(
            None,
            description="Who approved the waiver (a person or a role); the audit's exception "
            "register shows it, and a waiver without one as not approved.",
            examples=["ciso@meridian.example"],
        )
    )


_ENVIRONMENTS_OF_A_PRINCIPAL = (
    "The environments this principal exists in (default: all); a grant to it elsewhere is an error."
)


class Environment(Strict):
    """One environment (dev, staging, prod, ...): its workspaces and whether it is protected."""

    workspaces: tuple[int, ...] = Field(
        (),
        description="The ids of the workspaces of this environment; its catalogs are ISOLATED "
        "and bound to exactly these workspaces.",
        examples=[[3001, 3002]],
    )
    hosts: dict[int, str] = Field(
        default_factory=dict,
        description="The URL of workspaces of this environment, by id. The live readers read "
        "each ISOLATED catalog through a workspace it is bound to: from any other workspace "
        "Unity Catalog refuses it. Without a host of a bound workspace, a catalog that the "
        "reader's own workspace cannot reach is reported as unread.",
        examples=[{3001: "https://adb-3001.11.azuredatabricks.net"}],
    )
    protected: bool = Field(
        False,
        description="Protected environments (production) forbid human writes and user grants, "
        "and the deployer service principal owns every securable.",
        examples=[True],
    )
    deployer: str | None = Field(
        None,
        description="The service principal that applies Terraform here; required when "
        "protected, and then the Unity Catalog owner of every securable.",
        examples=["sp-uc-deploy-prod"],
    )
    applied_by: Literal["workflows", "hand"] = Field(
        "hand",
        description="Who runs `terraform apply` here: `workflows` (the govkit workflows on "
        "merge, whose runners keep no disk between runs, so the state needs a remote backend) "
        "or `hand`.",
        examples=["workflows"],
    )
    description: Text = Field("", description="Free text for people.", examples=["Production"])


class Backend(Strict):
    """Where each stack keeps its Terraform state; `config` goes into the backend block."""

    type: Literal["local", "azurerm", "s3", "gcs"] = Field(
        "local",
        description="The Terraform backend: local, azurerm, s3 or gcs.",
        examples=["azurerm"],
    )
    config: dict[str, str | int | bool] = Field(
        default_factory=dict,
        description="The backend block's settings. For azurerm and s3 a `key` is a prefix and "
        "for gcs a `prefix` is one: govkit adds each stack's own state key.",
        examples=[{"storage_account_name": "sttfstate", "container_name": "tfstate"}],
    )


class TerraformSettings(Strict):
    """How `govkit compile` writes the Terraform stacks."""

    backend: Backend = Field(
        Backend(),
        description="Where each stack keeps its state (see Backend).",
        examples=[{"type": "s3", "config": {"bucket": "acme-tfstate", "key": "uc"}}],
    )
    provider_version: str = Field(
        "~> 1.128",
        description="The version constraint of the databricks/databricks provider.",
        examples=["~> 1.128"],
    )
    required_version: str = Field(
        ">= 1.5.0",
        description="The Terraform version constraint of every stack.",
        examples=[">= 1.5.0"],
    )
    max_grant_resources: int = Field(
        2000,
        ge=10,
        description="A domain stack is split into parts when it would hold more grant "
        "resources than this (at least 10).",
        examples=[2000],
    )


class DriftSettings(Strict):
    """How `govkit drift` compares the spec with the live metastore."""

    ignore_principals: tuple[str, ...] = Field(
        (),
        description="Platform principals (metastore admins, the deployer) whose grants drift "
        "counts instead of reporting where the apply leaves them alone: on a securable of an "
        "additive domain that does not declare them. An authoritative apply replaces every "
        "principal's grants, so drift reports them there.",
        examples=[["metastore-admins"]],
    )


GitHubTeam = Annotated[str, StringConstraints(pattern=r"^@[A-Za-z0-9][\w.-]*/[\w.-]+$")]


class CodeOwners(Strict):
    """Who approves spec changes on GitHub (`govkit codeowners` writes .github/CODEOWNERS)."""

    platform: GitHubTeam = Field(
        description="The GitHub team that owns the organisation and principal files.",
        examples=["@acme/data-platform"],
    )
    teams: dict[str, GitHubTeam] = Field(
        default_factory=dict,
        description="A domain owner group -> the GitHub team that approves its domain files.",
        examples=[{"finance-owners": "@acme/finance-data"}],
    )


class GrantExpiry(Strict):
    """How long exceptional access may last in protected environments (rule GOV212)."""

    max_days: int | None = Field(
        None,
        ge=1,
        description="The longest a cross-domain grant or a grant to a user may run in a "
        "protected environment, in days from today: it must have `expires:` within this. "
        "None (the default) sets no limit.",
        examples=[365],
    )


# YAML 1.1 reads a bare `off` as false; `GOV207: off` means the rule is off.
RuleLevel = Annotated[
    Literal["error", "warning", "note", "off"],
    BeforeValidator(lambda v: "off" if v is False else v),
]


Cloud = Literal["azure", "aws", "gcp"]


class Organisation(Strict):
    """The organisation file: environments, naming, access levels, rule severities."""

    version: Literal[1] = Field(
        description="The spec format version; always 1. Marks the organisation file.",
        examples=[1],
    )
    catalog_name: str = Field(
        "{domain}_{env}",
        description="How a domain's catalog is named in each environment, from {domain} and "
        "{env}; the result must be a valid Unity Catalog name (no period, space or slash).",
        examples=["{domain}_{env}"],
    )
    metastore_id: str | None = Field(
        None,
        description="The Unity Catalog metastore the estate lives in, for reports.",
        examples=["11111111-2222-4333-8444-555555555555"],
    )
    environments: dict[Identifier, Environment] = Field(
        min_length=1,
        description="Every environment by name, in promotion order (see Environment).",
        examples=[{"dev": {"workspaces": [1001]}, "prod": {"workspaces": [3001],
                   "protected": True, "deployer": "sp-uc-deploy-prod"}}],
    )  # fmt: skip
    access_levels: dict[Identifier, Privileges] = Field(
        default_factory=dict,
        description="Named sets of privileges for `access:`; they override and extend the "
        "built-in read, write and manage. A level expands to the privileges valid on each "
        "securable it is granted on.",
        examples=[{"read": ["USE_CATALOG", "USE_SCHEMA", "SELECT", "BROWSE"]}],
    )
    rules: dict[str, RuleLevel] = Field(
        default_factory=dict,
        description="Rule code -> error, warning, note or off: the organisation's severities.",
        examples=[{"GOV207": "off"}],
    )
    terraform: TerraformSettings = Field(
        TerraformSettings(), description="How stacks are compiled (see TerraformSettings)."
    )
    drift: DriftSettings = Field(
        DriftSettings(), description="How drift is checked (see DriftSettings)."
    )
    grant_expiry: GrantExpiry = Field(
        GrantExpiry(),
        description="The longest exceptional access may last (see GrantExpiry); no limit by "
        "default.",
        examples=[{"max_days": 365}],
    )
    mass_revoke_percent: float = Field(
        20.0,
        ge=0,
        le=100,
        description="The mass-revoke guard: in a protected environment, compile, diff and "
        "plan-check refuse a change that revokes more than this share (in percent) of the "
        "environment's grants, unless given --allow-destructive REASON.",
        examples=[20],
    )
    codeowners: CodeOwners | None = Field(
        None,
        description="GitHub teams for .github/CODEOWNERS (see CodeOwners); none by default.",
        examples=[{"platform": "@acme/data-platform"}],
    )
    cloud: Cloud | None = Field(
        None,
        description="The cloud the metastore runs on (azure, aws or gcp); storage credentials "
        "of another cloud are refused. None (the default) accepts any.",
        examples=["azure"],
    )
    storage_credentials: Annotated[
        dict[Identifier, StorageCredential], BeforeValidator(_none_as_empty)
    ] = Field(
        default_factory=dict,
        description="Storage credentials by name (see StorageCredential).",
        examples=[{"cred-prod": {"environment": "prod", "owner": "platform-admins",
                   "azure_managed_identity": {"access_connector_id": "/subscriptions/0000/"
                   "resourceGroups/rg-uc/providers/Microsoft.Databricks/accessConnectors/ac"}}}],
    )  # fmt: skip
    external_locations: Annotated[
        dict[Identifier, ExternalLocation], BeforeValidator(_none_as_empty)
    ] = Field(
        default_factory=dict,
        description="External locations by name (see ExternalLocation).",
        examples=[{"landing-prod": {"environment": "prod", "credential": "cred-prod",
                   "owner": "platform-admins",
                   "url": "abfss://landing@stacmeprod.dfs.core.windows.net/"}}],
    )  # fmt: skip
    tags: Annotated[dict[TagKey, GovernedTag], BeforeValidator(_none_as_empty)] = Field(
        default_factory=dict,
        description="Governed tags by key (see GovernedTag): the only keys domain files may "
        "assign, compiled into tag policies.",
        examples=[{"pii": {"values": ["email", "name"], "assigners": ["data-stewards"]}}],
    )
    classification: Classification = Field(
        default_factory=lambda: Classification(),
        description="Which tag keys mark sensitive data (see Classification).",
        examples=[{"sensitive_keys": ["pii", "pci"]}],
    )


class Federation(Strict):
    """A workload identity federation policy so that CI needs no long-lived secret."""

    issuer: str = Field(
        description="The OIDC issuer of the CI tokens.",
        examples=["https://token.actions.githubusercontent.com"],
    )
    subject: str = Field(
        description="The token subject allowed to sign in as this service principal.",
        examples=["repo:acme/governance:environment:prod"],
    )
    audiences: tuple[str, ...] = Field(
        (),
        description="Accepted token audiences (default: the account's).",
        examples=[["https://github.com/acme"]],
    )


class Group(Strict):
    """An account group; its key is its display name in Entra ID and Unity Catalog."""

    entra_object_id: str | None = Field(
        None,
        description="The group's object id in Entra ID (a UUID), for membership audits.",
        examples=["0b9c2f6e-7a1d-4e3b-8c5f-2d4a6b8c0e1f"],
    )
    description: Text = Field(
        "", description="Free text for people.", examples=["Finance data owners"]
    )
    environments: tuple[str, ...] | None = Field(
        None, description=_ENVIRONMENTS_OF_A_PRINCIPAL, examples=[["dev"]]
    )
    waivers: tuple[Waiver, ...] = Field((), description="Rules waived on this group (see Waiver).")


class ServicePrincipal(Strict):
    """A service principal; its key is a readable name, its application id how UC names it."""

    application_id: str = Field(
        description="The Application (client) ID, a UUID: how Unity Catalog names the "
        "principal in grants and as owner.",
        examples=["9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"],
    )
    description: Text = Field("", description="Free text for people.", examples=["Finance ETL"])
    environments: tuple[str, ...] | None = Field(
        None, description=_ENVIRONMENTS_OF_A_PRINCIPAL, examples=[["prod"]]
    )
    federation: Federation | None = Field(
        None,
        description="A workload identity federation policy for CI (see Federation).",
        examples=[{"issuer": "https://token.actions.githubusercontent.com",
                   "subject": "repo:acme/governance:environment:prod"}],
    )  # fmt: skip
    waivers: tuple[Waiver, ...] = Field(
        (), description="Rules waived on this service principal (see Waiver)."
    )


class User(Strict):
    """A person; the key is the e-mail address Unity Catalog knows the user by."""

    description: Text = Field("", description="Free text for people.", examples=["On-call DBA"])
    environments: tuple[str, ...] | None = Field(
        None, description=_ENVIRONMENTS_OF_A_PRINCIPAL, examples=[["dev"]]
    )
    waivers: tuple[Waiver, ...] = Field((), description="Rules waived on this user (see Waiver).")


class Principals(Strict):
    """A principal file: groups, service principals and users, each by its key."""

    groups: Annotated[dict[str, Group], BeforeValidator(_none_as_empty)] = Field(
        default_factory=dict,
        description="Account groups by display name (see Group).",
        examples=[{"finance-analysts": {}}],
    )
    service_principals: Annotated[dict[str, ServicePrincipal], BeforeValidator(_none_as_empty)] = (
        Field(
            default_factory=dict,
            description="Service principals by readable name (see ServicePrincipal).",
            examples=[
                {
                    "sp-finance-etl-prod": {
                        "application_id": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
                        "environments": ["prod"],
                    }
                }
            ],
        )
    )
    users: Annotated[dict[str, User], BeforeValidator(_none_as_empty)] = Field(
        default_factory=dict,
        description="Users by e-mail address (see User).",
        examples=[{"ada@example.com": {}}],
    )


_ACCESS = (
    "A named set of privileges: read, write or manage (built in), or a level of the "
    "organisation's `access_levels`; it expands to the privileges valid on the securable. "
    "Give either `access` or `privileges`."
)


class Grant(Strict):
    """`access: LEVEL` or `privileges: [...]` for one principal, optionally narrowed."""

    principal: str = Field(
        description="A declared group, service principal (by its key) or user.",
        examples=["finance-analysts"],
    )
    access: str | None = Field(None, description=_ACCESS, examples=["read", "write", "manage"])
    privileges: Privileges | None = Field(
        None,
        description="Privileges by their API names (USE_CATALOG, SELECT, MODIFY, ...); "
        "`USE CATALOG` and lower case are accepted. Give either `access` or `privileges`.",
        examples=[["USE_SCHEMA", "SELECT"]],
    )
    environments: tuple[str, ...] | None = Field(
        None,
        description="Only in these environments (default: every environment of the domain).",
        examples=[["prod"]],
    )
    expires: dt.date | None = Field(
        None,
        description="The last day of access (YYYY-MM-DD); after it the grant is left out and "
        "drift revokes it.",
        examples=["2027-03-31"],
    )
    reason: Text = Field(
        "",
        description="Why the access exists: the request that the data owner approved.",
        examples=["FIN-1234 campaign attribution"],
    )
    waivers: tuple[Waiver, ...] = Field((), description="Rules waived on this grant (see Waiver).")


Grants = Annotated[tuple[Grant, ...], BeforeValidator(lambda v: () if v is None else v)]


# The URL schemes Unity Catalog storage accepts: ADLS Gen2, S3, GCS and Cloudflare R2.
STORAGE_SCHEMES = ("abfss", "s3", "gs", "r2")
StorageUrl = Annotated[str, StringConstraints(min_length=1, max_length=2048)]


class AzureManagedIdentity(Strict):
    """An Azure Databricks access connector, with its user-assigned managed identity if any."""

    access_connector_id: str = Field(
        description="The resource id of the Azure Databricks access connector.",
        examples=["/subscriptions/0000/resourceGroups/rg-uc/providers/Microsoft.Databricks/"
                  "accessConnectors/ac-uc-prod"],
    )  # fmt: skip
    managed_identity_id: str | None = Field(
        None,
        description="The resource id of a user-assigned managed identity (default: the "
        "connector's system-assigned identity).",
        examples=[
            "/subscriptions/0000/resourceGroups/rg-uc/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-uc"
        ],
    )


class AwsIamRole(Strict):
    """An AWS IAM role that Unity Catalog assumes."""

    role_arn: str = Field(
        description="The ARN of the IAM role.",
        examples=["arn:aws:iam::123456789012:role/uc-prod-storage"],
    )


class GcpServiceAccount(Strict):
    """A Databricks-managed GCP service account (Unity Catalog creates and names it)."""


class StorageCredential(Strict):
    """A storage credential: the cloud identity Unity Catalog uses to reach storage."""

    environment: str = Field(
        description="The environment the credential belongs to; it is compiled into that "
        "environment's storage stack and governed by its rules.",
        examples=["prod"],
    )
    azure_managed_identity: AzureManagedIdentity | None = Field(
        None,
        description="An Azure access connector (see AzureManagedIdentity). Give exactly one of "
        "azure_managed_identity, aws_iam_role, gcp_service_account.",
        examples=[{"access_connector_id": "/subscriptions/0000/resourceGroups/rg-uc/providers/"
                   "Microsoft.Databricks/accessConnectors/ac-uc-prod"}],
    )  # fmt: skip
    aws_iam_role: AwsIamRole | None = Field(
        None,
        description="An AWS IAM role (see AwsIamRole).",
        examples=[{"role_arn": "arn:aws:iam::123456789012:role/uc-prod-storage"}],
    )
    gcp_service_account: GcpServiceAccount | None = Field(
        None,
        description="A Databricks-managed GCP service account: write `gcp_service_account: {}`.",
        examples=[{}],
    )
    owner: str = Field(
        description="The accountable owner, a group; in a protected environment the deployer "
        "is the Unity Catalog owner.",
        examples=["platform-admins"],
    )
    read_only: bool = Field(
        False, description="The credential can only read storage.", examples=[True]
    )
    comment: Text = Field("", description="The credential's comment.", examples=["Prod lake"])
    grants: Grants = Field((), description="Grants on the credential (see Grant).")
    waivers: tuple[Waiver, ...] = Field(
        (), description="Rules waived on this credential (see Waiver)."
    )

    @property
    def cloud(self) -> Cloud | None:
        """The cloud of the identity given, or None when none is given."""
        if self.azure_managed_identity is not None:
            return "azure"
        if self.aws_iam_role is not None:
            return "aws"
        if self.gcp_service_account is not None:
            return "gcp"
        return None

    @property
    def identities(self) -> tuple[str, ...]:
        """The keys of the identities given (exactly one is valid)."""
        keys = ("azure_managed_identity", "aws_iam_role", "gcp_service_account")
        return tuple(k for k in keys if getattr(self, k) is not None)


class ExternalLocation(Strict):
    """An external location: a storage path, reached through a storage credential."""

    environment: str = Field(
        description="The environment the location belongs to; it is compiled into that "
        "environment's storage stack and governed by its rules.",
        examples=["prod"],
    )
    url: StorageUrl = Field(
        description="The storage path: abfss://, s3://, gs:// or r2:// with a host.",
        examples=["abfss://landing@stacmeprod.dfs.core.windows.net/"],
    )
    credential: str = Field(
        description="The storage credential (its key under storage_credentials) that reaches "
        "the path.",
        examples=["cred-prod"],
    )
    owner: str = Field(
        description="The accountable owner, a group; in a protected environment the deployer "
        "is the Unity Catalog owner.",
        examples=["platform-admins"],
    )
    read_only: bool = Field(
        False,
        description="The location can only be read; it then holds no write grants.",
        examples=[True],
    )
    comment: Text = Field("", description="The location's comment.", examples=["Landing zone"])
    grants: Grants = Field((), description="Grants on the location (see Grant).")
    waivers: tuple[Waiver, ...] = Field(
        (), description="Rules waived on this location (see Waiver)."
    )


# Governed tags and their assignments (classification): the organisation declares each tag key,
# domain files put tags on catalogs, schemas, tables and columns.
TagKey = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[^.,\s=:/]+$")]
TagText = Annotated[str, StringConstraints(max_length=1000)]


def _none_as_blank(value: Any) -> Any:
    """`pii:` with nothing after it is a tag with a key and no value."""
    return "" if value is None else value


class GovernedTag(Strict):
    """A governed tag key: the values it may take and who may assign it."""

    description: Text = Field("", description="What the tag means.", examples=["Personal data"])
    values: tuple[TagText, ...] = Field(
        (),
        description="The values the tag may take; empty (the default) allows any value, and a "
        "tag with no value (`pii:`).",
        examples=[["email", "name", "birth_date"]],
    )
    assigners: tuple[str, ...] = Field(
        (),
        description="The principals who may assign the tag in Unity Catalog (ASSIGN on the "
        "tag policy), besides the deployer.",
        examples=[["data-stewards"]],
    )


class Classification(Strict):
    """Which governed tags mark sensitive data (rule GOV330)."""

    sensitive_keys: tuple[TagKey, ...] = Field(
        ("pii", "pci"),
        description="Tag keys whose columns hold sensitive data: in a protected environment "
        "each such column must be masked or row-filtered.",
        examples=[["pii", "pci"]],
    )


class TagInEnvironments(Strict):
    """A tag value that applies only in some environments."""

    value: Annotated[TagText, BeforeValidator(_none_as_blank)] = Field(
        "", description="The tag's value; empty for a tag with a key only.", examples=["email"]
    )
    environments: tuple[str, ...] = Field(
        description="The environments the tag is assigned in.", examples=[["prod"]]
    )


Tags = Annotated[
    dict[TagKey, Annotated[TagText, BeforeValidator(_none_as_blank)] | TagInEnvironments],
    BeforeValidator(_none_as_empty),
]
_TAGS = (
    "Governed tags by key -> value (empty for a key-only tag), in every environment, or "
    "`{value: ..., environments: [...]}` for some (see TagInEnvironments); each key is declared "
    "under the organisation's `tags:`."
)


class PolicyMatch(Strict):
    """The columns an ABAC policy acts on: those carrying a governed tag (with a value)."""

    tag: TagKey = Field(description="The governed tag key a column carries.", examples=["pii"])
    value: TagText | None = Field(
        None,
        description="Only columns with this value of the tag (default: any value).",
        examples=["email"],
    )


# A function by `schema.function` in the policy's catalog, or by `catalog.schema.function`.
FunctionName = Annotated[str, StringConstraints(pattern=r"^[^.\s/]+(\.[^.\s/]+){1,2}$")]


class AbacPolicy(Strict):
    """An attribute-based access policy: a column mask or row filter on tagged columns."""

    type: Literal["column_mask", "row_filter"] = Field(
        description="column_mask: readers see the function's result instead of each matched "
        "column; row_filter: the function, given the matched column, decides which rows they see.",
        examples=["column_mask"],
    )
    function: FunctionName = Field(
        description="The SQL function that masks or filters: `schema.function` in the "
        "domain's catalog of each environment, or `catalog.schema.function`.",
        examples=["governance.mask_email"],
    )
    match: PolicyMatch = Field(
        description="The tagged columns the policy acts on (see PolicyMatch).",
        examples=[{"tag": "pii", "value": "email"}],
    )
    to_principals: tuple[str, ...] = Field(
        ("account users",),
        description="Who the policy applies to (default: every account user).",
        examples=[["account users"]],
    )
    except_principals: tuple[str, ...] = Field(
        (),
        description="Groups that read in the clear; a person is never excepted by name.",
        examples=[["payments-fraud"]],
    )
    when_condition: Text | None = Field(
        None,
        description="A condition on the table's tags that narrows the tables it applies to.",
        examples=["hasTag('pii')"],
    )
    environments: tuple[str, ...] | None = Field(
        None,
        description="Only in these environments (default: every environment of the domain).",
        examples=[["prod"]],
    )
    comment: Text = Field("", description="The policy's comment.", examples=["Mask e-mails"])


_POLICIES = "ABAC policies attached here by name (see AbacPolicy); they act on the tables below."


class Column(Strict):
    """A column of a table, named to carry tags; govkit does not create columns."""

    tags: Tags = Field(default_factory=dict, description=_TAGS, examples=[{"pii": "email"}])
    waivers: tuple[Waiver, ...] = Field((), description="Rules waived on this column (see Waiver).")


_OWNER_BELOW = (
    "The accountable owner, a group (default: the owner above). In a protected environment "
    "the deployer is the Unity Catalog owner."
)


class Table(Strict):
    """A table, created by a pipeline; govkit governs its owner and grants."""

    owner: str | None = Field(None, description=_OWNER_BELOW, examples=["finance-engineers"])
    comment: Text = Field("", description="The table's comment.", examples=["Daily revenue"])
    grants: Grants = Field((), description="Grants on the table (see Grant).")
    waivers: tuple[Waiver, ...] = Field((), description="Rules waived on this table (see Waiver).")
    tags: Tags = Field(default_factory=dict, description=_TAGS, examples=[{"domain": "sales"}])
    policies: Annotated[dict[Identifier, AbacPolicy], BeforeValidator(_none_as_empty)] = Field(
        default_factory=dict, description=_POLICIES
    )
    columns: Annotated[dict[Identifier, Column], BeforeValidator(_none_as_empty)] = Field(
        default_factory=dict,
        description="Columns by name, to tag them (see Column).",
        examples=[{"email": {"tags": {"pii": "email"}}}],
    )


class Volume(Strict):
    """A volume: files governed like a table, managed or in an external location."""

    owner: str | None = Field(None, description=_OWNER_BELOW, examples=["finance-engineers"])
    comment: Text = Field("", description="The volume's comment.", examples=["Landing files"])
    storage_location: dict[str, StorageUrl] = Field(
        default_factory=dict,
        description="Environment -> the path of an external volume there, inside a declared "
        "external location of that environment; one for every environment of the domain. "
        "Without it the volume is managed (in the catalog's or metastore's managed storage).",
        examples=[{"prod": "abfss://landing@stacmeprod.dfs.core.windows.net/finance/invoices"}],
    )
    grants: Grants = Field((), description="Grants on the volume (see Grant).")
    waivers: tuple[Waiver, ...] = Field((), description="Rules waived on this volume (see Waiver).")

    @property
    def volume_type(self) -> Literal["MANAGED", "EXTERNAL"]:
        return "EXTERNAL" if self.storage_location else "MANAGED"


class Schema(Strict):
    """A schema of the domain's catalog, in every environment of the domain."""

    owner: str | None = Field(None, description=_OWNER_BELOW, examples=["finance-engineers"])
    comment: Text = Field("", description="The schema's comment.", examples=["Curated reporting"])
    grants: Grants = Field((), description="Grants on the schema (see Grant).")
    tables: Annotated[dict[SecurableName, Table], BeforeValidator(_none_as_empty)] = Field(
        default_factory=dict,
        description="Tables by name (see Table).",
        examples=[{"revenue": {"grants": [{"principal": "execs", "privileges": ["SELECT"]}]}}],
    )
    waivers: tuple[Waiver, ...] = Field((), description="Rules waived on this schema (see Waiver).")
    tags: Tags = Field(default_factory=dict, description=_TAGS, examples=[{"domain": "sales"}])
    policies: Annotated[dict[Identifier, AbacPolicy], BeforeValidator(_none_as_empty)] = Field(
        default_factory=dict, description=_POLICIES
    )
    volumes: Annotated[dict[SecurableName, Volume], BeforeValidator(_none_as_empty)] = Field(
        default_factory=dict,
        description="Volumes by name (see Volume).",
        examples=[
            {"invoices": {"grants": [{"principal": "ingest", "privileges": ["WRITE_VOLUME"]}]}}
        ],
    )


class Domain(Strict):
    """A domain file: one catalog per environment, with schemas, tables and grants."""

    domain: SecurableName = Field(
        description="The domain's name; marks a domain file and names its catalogs.",
        examples=["finance"],
    )
    owner: str = Field(
        description="The accountable data owner, a group: approves requests, named in audits "
        "and CODEOWNERS; the Unity Catalog owner outside protected environments.",
        examples=["finance-owners"],
    )
    catalog: SecurableName | None = Field(
        None,
        description="The catalog's name where it does not follow the organisation's "
        "`catalog_name` (a catalog adopted by `govkit import`); such a domain lives in one "
        "environment.",
        examples=["legacy_finance"],
    )
    comment: Text = Field("", description="The catalog's comment.", examples=["Finance data"])
    environments: tuple[str, ...] | None = Field(
        None,
        description="The environments the domain lives in (default: all).",
        examples=[["dev", "prod"]],
    )
    authority: Literal["authoritative", "additive"] = Field(
        "authoritative",
        description="authoritative: govkit owns every grant on the domain's securables and "
        "revokes undeclared ones; additive: only the declared principals' grants.",
        examples=["additive"],
    )
    storage_root: dict[str, StorageUrl] = Field(
        default_factory=dict,
        description="Environment -> the managed storage root of the domain's catalog there "
        "(abfss://, s3://, gs:// or r2://); without one the catalog uses the metastore's.",
        examples=[{"prod": "abfss://finance@stacmeprod.dfs.core.windows.net/managed"}],
    )
    grants: Grants = Field((), description="Grants on the catalog (see Grant).")
    schemas: Annotated[dict[SecurableName, Schema], BeforeValidator(_none_as_empty)] = Field(
        default_factory=dict,
        description="Schemas by name (see Schema); `raw:` with nothing after it is empty.",
        examples=[{"reporting": {"grants": [{"principal": "execs", "access": "read"}]}}],
    )
    waivers: tuple[Waiver, ...] = Field((), description="Rules waived on the domain (see Waiver).")
    tags: Tags = Field(default_factory=dict, description=_TAGS, examples=[{"domain": "sales"}])
    policies: Annotated[dict[Identifier, AbacPolicy], BeforeValidator(_none_as_empty)] = Field(
        default_factory=dict, description=_POLICIES
    )


# The organisation file names the storage models, which follow the Grant they use.
Organisation.model_rebuild()
