"""Run one case of the apply-then-drift property: a small spec applied by the real provider to
a fresh local metastore, changed out of band through databricks-sdk, applied again, and read by
`govkit drift` through both readers.

A case is plain JSON (so that a failure is saved as a file under tests/property/cases/):

    {"domains": {"alpha": {"authority": "additive", "grants": [["readers", ["USE_CATALOG"]]],
                           "schemas": {"s0": {"grants": [], "tables": {"t0": {"grants": []}}}}},
                 "beta": {...}},
     "storage": {"credential": [[principal, [privileges]]], "location": [...]},
     "changes": [{"op": "grant", "target": 3, "principal": "outsiders", "pick": 1}, ...]}

A change's `target` picks a declared securable (modulo their number, in State order), `pick`
a privilege or a live grant, so that any case runs on any spec.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import yaml

from govkit.cli.main import main
from govkit.compile import compile_stacks
from govkit.resolve import resolve
from govkit.spec.build import load_spec
from govkit.state import Securable
from govkit.testing.terraform import Estate, Metastore, metastore
from tests.conftest import TODAY

ENV = "dev"
WORKSPACES = (1001, 1002)  # the host is the first; the second may be unbound out of band
STRAY_WORKSPACE = 1009  # bound out of band: an apply never unbinds it
DOMAINS = ("alpha", "beta")
GROUPS = ("owners-a", "owners-b", "readers", "writers", "outsiders", "platform-admins")
IGNORED = "platform-admins"  # drift.ignore_principals: spared where the apply spares it, else drift
READERS = (("workspace",), ("warehouse", "--warehouse-id", "w1"))

# Privileges a case grants, per securable type: valid there (govkit.privileges), none of them
# the anchor of a securable without grants, so a grant of them is always a change.
PRIVILEGES: Mapping[str, tuple[str, ...]] = {
    "catalog": ("USE_CATALOG", "SELECT", "USE_SCHEMA"),
    "schema": ("SELECT", "MODIFY"),
    "table": ("MODIFY", "REFRESH"),
    "external_location": ("READ_FILES", "WRITE_FILES"),
    "storage_credential": ("READ_FILES", "WRITE_FILES"),
}


def organisation() -> dict[str, Any]:
    return {
        "version": 1,
        "catalog_name": "{domain}_{env}",
        "environments": {ENV: {"workspaces": list(WORKSPACES)}},
        "terraform": {"backend": {"type": "local"}},
        "cloud": "aws",
        "drift": {"ignore_principals": [IGNORED]},
    }


def _grants(pairs: list[list[Any]]) -> list[dict[str, Any]]:
    return [{"principal": p, "privileges": list(privileges)} for p, privileges in pairs]


def spec_files(case: Mapping[str, Any]) -> dict[str, Any]:
    """The spec folder of a case: {relative path: YAML value}."""
    org = organisation()
    storage = case["storage"]
    org["storage_credentials"] = {
        "cred-dev": {
            "environment": ENV,
            "owner": "owners-a",
            "aws_iam_role": {"role_arn": "arn:aws:iam::123456789012:role/uc-dev"},
            "grants": _grants(storage["credential"]),
        }
    }
    org["external_locations"] = {
        "lake-dev": {
            "environment": ENV,
            "url": "s3://lake-dev/",
            "credential": "cred-dev",
            "owner": "owners-a",
            "grants": _grants(storage["location"]),
        }
    }
    files: dict[str, Any] = {
        "govkit.yaml": org,
        "principals.yaml": {"groups": {g: {} for g in GROUPS}},
    }
    for name, domain in case["domains"].items():
        files[f"domains/{name}.yaml"] = {
            "domain": name,
            "owner": "owners-a" if name == DOMAINS[0] else "owners-b",
            "authority": domain["authority"],
            "grants": _grants(domain["grants"]),
            "schemas": {
                s_name: {
                    "grants": _grants(schema["grants"]),
                    "tables": {
                        t_name: {"grants": _grants(table["grants"])}
                        for t_name, table in schema["tables"].items()
                    },
                }
                for s_name, schema in domain["schemas"].items()
            },
        }
    return files


@dataclass
class Drift:
    code: int
    changes: list[dict[str, Any]]
    errors: str = ""

    def keys(self) -> list[tuple[Any, ...]]:
        return [_key(c) for c in self.changes]


def _key(c: Mapping[str, Any]) -> tuple[Any, ...]:
    return (c["kind"], c["securable"], c["principal"], tuple(c["privileges"]))


class Harness:
    """One work folder for every case: the stacks keep their `.terraform` (one `terraform init`
    per stack for the whole run); each case gets fresh Terraform states and a fresh server."""

    def __init__(self, work: Path, modules: Path, binary: str, cli_config: Path | None) -> None:
        self.work, self.binary, self.cli_config = work, binary, cli_config
        self.spec, self.out = work / "spec", work / "out"
        shutil.copytree(modules, work / "modules")
        self.initialised: set[str] = set()

    def estate(self, case: Mapping[str, Any]) -> Estate:
        shutil.rmtree(self.spec, ignore_errors=True)
        for rel, value in spec_files(case).items():
            path = self.spec / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(yaml.safe_dump(value, sort_keys=False), "utf-8")
        loaded = load_spec(str(self.spec))
        assert loaded.spec is not None, [d.text() for d in loaded.diagnostics]
        environments = resolve(loaded.spec, TODAY)
        compiled = compile_stacks(loaded.spec, environments, "../modules")
        for rel, content in compiled.files().items():
            target = self.out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        people = (*loaded.spec.groups, *loaded.spec.users)
        estate = Estate(
            self.spec, self.out, list(compiled.stacks), environments, people,
            self.binary, self.cli_config, TODAY,
        )  # fmt: skip
        for stack in estate.stacks:
            estate.state_file(stack).unlink(missing_ok=True)
            if stack.id not in self.initialised:
                estate.terraform(stack).init()
                self.initialised.add(stack.id)
        return estate

    def run(self, case: Mapping[str, Any]) -> None:
        """The property: what drift says the next apply does, the apply does, through both
        readers alike. Raises AssertionError naming the case."""
        estate = self.estate(case)
        with metastore(estate) as running:
            estate.each(lambda s: estate.terraform(s, running.provider_env(s)).apply())
            with _reading(self.work, running, estate):
                for reader in READERS:
                    first = drift(self.spec, reader)
                    assert (first.code, first.changes) == (0, []), _failed(case, reader, first)
                declared = estate.environments[0].state.securables
                for change in case["changes"]:
                    apply_change(running, declared, change)
                before = [drift(self.spec, reader) for reader in READERS]
                assert before[0].changes == before[1].changes, _failed(case, "both", before[1])
                estate.each(lambda s: estate.terraform(s, running.provider_env(s)).apply())
                for reader in READERS:
                    after = drift(self.spec, reader)
                    check_promises(case, reader, before[0], after)


def check_promises(case: Mapping[str, Any], reader: Any, before: Drift, after: Drift) -> None:
    """After the apply: nothing it promised is left, nothing new appeared, and everything
    drift said it leaves alone is still there. One consequence may say both ("the next apply
    binds 1002; apply does not unbind 1009")."""
    why = _failed(case, reader, after)
    left = [c for c in before.changes if _leaves(c)]
    assert not [c for c in after.changes if PROMISE in c["consequence"]], why
    assert set(after.keys()) <= set(before.keys()), why
    assert {_key(c) for c in left} <= set(after.keys()), why
    if not left:
        assert (after.code, after.changes) == (0, []), why


PROMISE = "the next apply"


def _leaves(change: Mapping[str, Any]) -> bool:
    """Whether drift says the apply leaves (part of) the change as it is."""
    return any(
        "does not" in part or "left alone" in part for part in change["consequence"].split("; ")
    )


def _failed(case: Mapping[str, Any], reader: Any, drift: Drift) -> str:
    changes = "\n".join(
        f"  {c['mark']} {c['kind']} {c['securable']} {c['principal']} {c['privileges']}: "
        f"{c['consequence']}"
        for c in drift.changes
    )
    return (
        f"reader {reader}, exit {drift.code}:\n{changes}\n{drift.errors}"
        f"save the case as tests/property/cases/NAME.json:\n{json.dumps(case, sort_keys=True)}"
    )


@contextlib.contextmanager
def _reading(work: Path, running: Metastore, estate: Estate) -> Iterator[None]:
    """The environment `govkit drift` reads the metastore with, as the provider does."""
    env = running.provider_env(next(s for s in estate.stacks if s.environment == ENV))
    with mock.patch.dict(os.environ, {**env, "HOME": str(work)}):
        yield


def drift(spec: Path, reader: tuple[str, ...]) -> Drift:
    args = [str(spec), "--env", ENV, "--as-of", TODAY.isoformat(), "--format", "json"]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["drift", *args, "--source", *reader])
    text = out.getvalue()
    return Drift(code, json.loads(text)["changes"] if text.strip() else [], err.getvalue())


def apply_change(
    running: Metastore, declared: tuple[Securable, ...], change: Mapping[str, Any]
) -> None:
    """One out-of-band change through databricks-sdk, as a person with a workspace would."""
    from databricks.sdk.service.catalog import (
        PermissionsChange,
        Privilege,
        WorkspaceBinding,
        WorkspaceBindingBindingType,
    )

    w = running.workspace_client(ENV)
    op = change["op"]
    # Bindings and the isolation mode are a catalog's: those changes pick among the catalogs.
    among = [s for s in declared if s.type.value == "catalog"] if op in _ON_CATALOGS else declared
    s = among[change["target"] % len(among)]
    kind, name = s.type.value, s.name
    if op == "grant":
        options = PRIVILEGES[kind]
        privilege = Privilege(options[change["pick"] % len(options)])
        add = [PermissionsChange(principal=change["principal"], add=[privilege])]
        w.grants.update(kind, name, changes=add)
    elif op == "revoke":
        live = w.grants.get(kind, name).privilege_assignments or []
        if live:
            held = live[change["pick"] % len(live)]
            gone = [PermissionsChange(principal=held.principal, remove=held.privileges)]
            w.grants.update(kind, name, changes=gone)
    elif op == "owner":
        _set_owner(w, kind, name, change["principal"])
    elif op in ("unbind", "bind-stray"):
        binding = WorkspaceBinding(
            workspace_id=WORKSPACES[1] if op == "unbind" else STRAY_WORKSPACE,
            binding_type=WorkspaceBindingBindingType.BINDING_TYPE_READ_WRITE,
        )
        edit = {"remove": [binding]} if op == "unbind" else {"add": [binding]}
        w.workspace_bindings.update_bindings("catalog", name, **edit)
    elif op == "open":
        from databricks.sdk.service.catalog import CatalogIsolationMode

        w.catalogs.update(name, isolation_mode=CatalogIsolationMode.OPEN)


_ON_CATALOGS = ("unbind", "bind-stray", "open")


def _set_owner(w: Any, kind: str, name: str, owner: str) -> None:
    api = {
        "catalog": w.catalogs,
        "schema": w.schemas,
        "table": w.tables,
        "external_location": w.external_locations,
        "storage_credential": w.storage_credentials,
    }[kind]
    api.update(name, owner=owner)
