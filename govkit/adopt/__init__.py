"""Adopt a live metastore: a State document becomes spec files and Terraform import blocks.

    State ─ arrange ─ classify principals ─ place catalogs in domains ─ documents ─ waivers ─ YAML
                                                         spec ─ compile ─ import {} per stack

Pure: values in, values out. The CLI (`govkit import`) reads the State and the directory and
writes the files; `merge` folds a second environment into an existing spec.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from govkit.adopt.documents import (
    DomainBuilder,
    Draft,
    Options,
    domain_file,
    find_deployer,
    organisation_document,
    principals_document,
)
from govkit.adopt.estate import arrange
from govkit.adopt.grants import Levels
from govkit.adopt.placement import choose_template, place
from govkit.adopt.principals import NO_DIRECTORY, Directory, Principal, classify
from govkit.adopt.waive import add_waivers
from govkit.diagnostics import Diagnostic, Severity
from govkit.edit.yamltext import Positions, render_with_positions
from govkit.gc_pause import paused_gc
from govkit.privileges import DEFAULT_ACCESS_LEVELS
from govkit.state import State

__all__ = ["NO_DIRECTORY", "Adoption", "Directory", "Options", "adopt"]

INCOMPLETE = (
    "INCOMPLETE: imported with --allow-incomplete from a snapshot that could not read "
    "everything; review before applying."
)


@dataclass(frozen=True)
class Adoption:
    """The spec files of an import (relative path -> YAML text) and what it reported."""

    documents: dict[str, dict[str, Any]]
    files: dict[str, str]
    diagnostics: list[Diagnostic]
    principals: dict[str, Principal]
    # Where each key starts in the files written from scratch (relative path -> positions).
    positions: dict[str, Positions] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(d.severity is Severity.ERROR for d in self.diagnostics)


def draft_spec(
    state: State, directory: Directory, options: Options
) -> tuple[Draft, dict[str, Principal]]:
    """The documents of a new spec for the State's environment, waivers not yet added."""
    estate = arrange(state)
    draft = Draft(diagnostics=list(estate.diagnostics))
    principals, problems = classify(estate.principals(), directory)
    draft.diagnostics.extend(problems)
    deployer = find_deployer(estate, principals)
    template = options.template or choose_template(estate.catalogs, options.env)
    builder = DomainBuilder(
        draft,
        principals,
        Levels(DEFAULT_ACCESS_LEVELS),
        deployer.uc_name if deployer else None,
        options,
    )
    taken: set[str] = set()
    for placement in place(estate.catalogs, template, options.env):
        catalog = estate.catalogs[placement.catalog]
        builder.build(placement, catalog, domain_file(placement.domain, taken))
    organisation_document(draft, estate, template, deployer, options)
    if deployer is not None:
        draft.used.add(deployer.uc_name)
    principals_document(draft, principals, options)
    return draft, principals


def adopt(state: State, directory: Directory, options: Options) -> Adoption:
    """A new spec that resolves to `state` in `options.env`, except what it reports."""
    with paused_gc():
        return _adopt(state, directory, options)


def _adopt(state: State, directory: Directory, options: Options) -> Adoption:
    draft, principals = draft_spec(state, directory, options)
    draft.diagnostics.extend(
        add_waivers(draft.files, options.today, options.waiver_expiry, options.root)
    )
    if options.incomplete:
        for rel in draft.files:
            draft.comments[rel][()] = [INCOMPLETE, *draft.comments[rel].get((), [])]
    texts, positions = {}, {}
    for rel, doc in sorted(draft.files.items()):
        texts[rel], positions[rel] = render_with_positions(doc, draft.comments[rel])
    return Adoption(draft.files, texts, draft.diagnostics, principals, positions)
