"""Import a further environment into an existing spec, by round-trip edits of its files.

Each existing grant entry that would now also apply in the new environment is kept where the
live grants there hold it, and narrowed to its earlier environments where they do not; what the
new environment holds beyond the kept entries is added as entries for that environment only.
So every environment resolves as before, and the new one resolves to its live State, except
what the spec cannot say per environment (owners, schemas), which is reported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from govkit.adopt import Adoption
from govkit.adopt.documents import (
    DomainBuilder,
    Draft,
    Options,
    domain_file,
    find_deployer,
    principals_document,
)
from govkit.adopt.estate import Catalog, Estate, arrange
from govkit.adopt.existing import ExistingSpec
from govkit.adopt.grants import Levels
from govkit.adopt.merge_domain import DomainMerge
from govkit.adopt.placement import place
from govkit.adopt.principals import SECTIONS, Directory, classify
from govkit.adopt.report import reported
from govkit.adopt.waive import add_waivers
from govkit.diagnostics import Diagnostic, Severity
from govkit.edit.document import Document, load
from govkit.edit.nodes import block, comment_above, node, text
from govkit.edit.yamltext import STYLE, render_with_positions
from govkit.resolve import domain_environments
from govkit.spec.build import Spec, load_spec
from govkit.spec.references import access_levels
from govkit.state import State


class _Merger:
    def __init__(
        self, root: Path, spec: Spec, state: State, directory: Directory, options: Options
    ) -> None:
        self.root = str(root).rstrip("/")
        self.spec = spec
        self.options = options
        self.estate: Estate = arrange(state)
        self.diagnostics: list[Diagnostic] = list(self.estate.diagnostics)
        declared = {d.uc_name: (name, d.kind) for name, d in spec.principals.items()}
        self.principals, problems = classify(self.estate.principals(), directory, declared)
        self.diagnostics.extend(problems)
        self.deployer = find_deployer(self.estate, self.principals)
        self.levels = access_levels(spec.organisation)
        self.draft = Draft()
        self.docs: dict[str, Document] = {}
        self.touched: set[str] = set()
        # Files that ruamel.yaml would reformat: an edit of one is refused, never made.
        self.unfaithful: set[str] = set()

    def rel(self, file: str) -> str:
        return file.removeprefix(f"{self.root}/")

    def doc(self, file: str) -> Any:
        rel = self.rel(file)
        if rel not in self.docs:
            source = (Path(self.root) / rel).read_bytes().decode("utf-8").lstrip("\ufeff")
            # Only the style the new nodes are written in; no aliases for shared new values.
            self.docs[rel] = load(rel, source, STYLE, aliases=False)
            if not self.docs[rel].faithful:
                self.unfaithful.add(rel)
        return self.docs[rel].data

    def run(self) -> None:
        env = self.options.env
        existing = {d.domain.domain.lower(): d for d in self.spec.domains}
        closed = [d.domain.domain for d in self.spec.domains if d.domain.catalog is not None]
        placements = place(
            self.estate.catalogs,
            self.spec.organisation.catalog_name,
            env,
            reserved=[d.domain.domain for d in self.spec.domains],
            closed=closed,
        )
        builder = DomainBuilder(
            self.draft,
            self.principals,
            Levels(self.levels),
            self.deployer.uc_name if self.deployer else None,
            self.options,
        )
        taken = {Path(self.rel(d.file)).stem.lower() for d in self.spec.domains}
        merged: set[str] = set()
        for p in placements:
            catalog = self.estate.catalogs[p.catalog]
            found = existing.get(p.domain.lower()) if not p.own_name else None
            if found is None:
                builder.build(p, catalog, domain_file(p.domain, taken))
                continue
            merged.add(found.domain.domain)
            self.merge_domain(found.file, catalog)
        for d in self.spec.domains:
            if d.domain.domain not in merged:
                self.keep_out(d.file, d.domain.environments)
        self.organisation()
        self.add_principals()

    def merge_domain(self, file: str, catalog: Catalog) -> None:
        doc = next(d for d in self.spec.domains if d.file == file)
        prev = domain_environments(self.spec, doc.domain)
        merge = DomainMerge(self, doc.domain, self.doc(file), prev, catalog)
        merge.run()
        self.touched.add(self.rel(file))

    def keep_out(self, file: str, environments: tuple[str, ...] | None) -> None:
        """A domain without a catalog in the new environment stays out of it."""
        if environments is not None:
            return
        raw = self.doc(file)
        at = list(raw).index("owner") + 1 if "owner" in raw else len(raw)
        raw.insert(at, "environments", node(list(self.spec.organisation.environments)))
        self.touched.add(self.rel(file))

    def organisation(self) -> None:
        env = self.options.env
        raw = self.doc(self.spec.organisation_file)
        config: dict[str, Any] = {
            "workspaces": list(self.options.workspaces or self.estate.workspaces())
        }
        if self.deployer is not None:
            config["protected"] = True
            config["deployer"] = self.deployer.key
            self.draft.used.add(self.deployer.uc_name)
        raw["environments"][text(env)] = block(config)
        comment_above(
            raw["environments"], env, f"imported by govkit import from {self.options.source}", 2
        )
        self.touched.add(self.rel(self.spec.organisation_file))

    def add_principals(self) -> None:
        env = self.options.env
        declared_files = sorted({d.file for d in self.spec.principals.values()})
        for uc_name in sorted(self.draft.used):
            p = self.principals[uc_name]
            d = self.spec.principals.get(p.key)
            if d is None:
                continue
            entry = self.doc(d.file)[SECTIONS[p.kind]][p.key]
            if d.environments is not None and env not in d.environments:
                entry["environments"].append(env)
                self.touched.add(self.rel(d.file))
                if p.kind == "service_principal":
                    self.diagnostics.append(
                        reported(
                            "GOV709",
                            uc_name,
                            f"service principal {p.key} now serves {', '.join(d.environments)} "
                            f"and {env}: its Terraform moves to the _account stack",
                            "move its state with `terraform state mv` before the next apply",
                        )
                    )
        if not declared_files:
            principals_document(self.draft, self.principals, self.options)
            return
        raw = self.doc(declared_files[0])
        for uc_name in sorted(self.draft.used):
            p = self.principals[uc_name]
            if p.key in self.spec.principals:
                continue
            section = SECTIONS[p.kind]
            if raw.get(section) is None:
                raw[section] = block({})
                raw[section].fa.set_block_style()
            value = (
                {"application_id": uc_name, "environments": [env]}
                if p.kind == ("service_principal")
                else {}
            )
            raw[section][text(p.key)] = block(value)
            comment_above(raw[section], p.key, f"{p.kind.replace('_', ' ')}: {p.how} ({env})", 2)
            self.touched.add(self.rel(declared_files[0]))


def merge(existing: ExistingSpec, state: State, directory: Directory, options: Options) -> Adoption:
    """The edited and new files that add `options.env` to the spec in `existing.root`."""
    loaded = load_spec(str(existing.root))
    if loaded.spec is None:
        errors = [d for d in loaded.diagnostics if d.severity is Severity.ERROR]
        return Adoption({}, {}, errors, {})
    m = _Merger(existing.root, loaded.spec, state, directory, options)
    m.run()
    documents: dict[str, Any] = {}
    for display, _ in _all_files(existing.root):
        rel = m.rel(display)
        documents[rel] = m.doc(display)
    documents.update(m.draft.files)
    expires = options.waiver_expiry
    m.diagnostics.extend(m.draft.diagnostics)
    m.diagnostics.extend(add_waivers(documents, options.today, expires, m.root, m.touched))
    refused = sorted(m.touched & m.unfaithful)
    if refused:
        return Adoption({}, {}, [_unfaithful(f"{m.root}/{rel}") for rel in refused], {})
    if options.incomplete:
        _mark_incomplete(m)
    files = {rel: m.docs[rel].text() for rel in sorted(m.touched) if rel in m.docs}
    positions = {}
    for rel, doc in m.draft.files.items():
        files[rel], positions[rel] = render_with_positions(doc, m.draft.comments[rel])
    return Adoption(documents, dict(sorted(files.items())), m.diagnostics, m.principals, positions)


def _mark_incomplete(m: _Merger) -> None:
    """Every file the merge writes says, above its first key, that the read was incomplete."""
    from govkit.adopt import INCOMPLETE

    for rel in m.touched & set(m.docs):
        data = m.docs[rel].data
        first = next(iter(data), None)
        if first is not None:
            comment_above(data, first, INCOMPLETE, 0)
    for rel in m.draft.files:
        m.draft.comments[rel][()] = [INCOMPLETE, *m.draft.comments[rel].get((), [])]


def _unfaithful(file: str) -> Diagnostic:
    return Diagnostic(
        "GOV710",
        Severity.ERROR,
        "cannot be edited without reformatting it (its layout does not survive a round trip)",
        "import.round-trip",
        file,
        hint="indent mappings by 2 and list items by `  - `, or merge this environment by hand",
    )


def _all_files(root: Path) -> list[tuple[str, Path]]:
    from govkit.spec.loader import parse_file, spec_paths

    return [
        (display, full)
        for display, full in spec_paths(str(root))
        if parse_file(display, full.read_bytes())[0] is not None
    ]
