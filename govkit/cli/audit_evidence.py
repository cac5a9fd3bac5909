"""The evidence edges of `govkit audit`: live reads saved and hashed, where and as whom they
were read, an earlier report to compare with, and the checks that refuse a report that could
not be evidence (a mistyped --blast-radius table, a report dated before its live read)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from govkit.audit.compare import check_previous
from govkit.audit.model import LiveReader, Source
from govkit.cli.inputs import Read
from govkit.cli.main import UserError
from govkit.lineage.document import Lineage
from govkit.resolve import DesiredEnvironment
from govkit.spec.build import closest
from govkit.state import State


def check_blast_radius(
    asked: tuple[str, ...],
    environments: tuple[DesiredEnvironment, ...],
    live: State | None,
    lineage: Lineage | None,
) -> None:
    """A table asked for by name must exist somewhere: a typo is an error, not a row of 0."""
    if not asked:
        return
    known = {s.name for e in environments for s in e.state.securables if s.type.value == "table"}
    known |= {s.name for s in (live.securables if live else ()) if s.type.value == "table"}
    for e in lineage.edges if lineage else ():
        known.update((e.source, e.target))
    unknown = [t for t in asked if t not in known]
    if unknown:
        hints = [closest(t, sorted(known)) for t in unknown]
        detail = "; ".join(
            f"{t}{f' ({h})' if h else ''}" for t, h in zip(unknown, hints, strict=True)
        )
        raise UserError(
            f"--blast-radius: no such table in the spec, the live State or the lineage: {detail}"
        )


_LIVE_KINDS = ("workspace", "warehouse")


def save_live(env: str, reads: list[Read[Any]]) -> tuple[list[Source], dict[str, bytes]]:
    """A live read is saved beside the report and hashed, so that the report reproduces from
    what it saw; a file input is hashed where it is."""
    from govkit.legacy.document import dumps as dump_legacy
    from govkit.lineage.document import dumps as dump_lineage
    from govkit.state import dumps as dump_state

    sources: list[Source] = []
    saved: dict[str, bytes] = {}
    for read in reads:
        src = read.source
        if src.kind not in _LIVE_KINDS or read.value is None:
            sources.append(src)
            continue
        if isinstance(read.value, State):
            name, text = f"evidence-{env}-live.state.json", dump_state(read.value)
        elif isinstance(read.value, Lineage):
            name, text = f"evidence-{env}-lineage.json", dump_lineage(read.value)
        else:
            name, text = f"evidence-{env}-legacy.json", dump_legacy(read.value)
        data = text.encode("utf-8")
        saved[name] = data
        digest = hashlib.sha256(data).hexdigest()
        sources.append(src.model_copy(update={"saved_as": name, "sha256": digest}))
    return sources, saved


def live_reader(sources: list[Source]) -> LiveReader | None:
    """The host, metastore and identity of a live read, asked of the same configuration
    through the reader's retries and breaker. When no live read was complete (a report written
    with --allow-incomplete) only the host is recorded: the API already failed once."""
    live = [s for s in sources if s.kind in _LIVE_KINDS]
    if not live:
        return None
    from govkit.live import ReaderSettings
    from govkit.live.client import ClientConfigError, bounded, make_client
    from govkit.live.resilience import ReadFailed, Retrier

    settings = ReaderSettings()
    try:
        client = bounded(make_client(settings))
    except ClientConfigError as exc:
        raise UserError(f"cannot tell where the live inputs were read: {exc}") from None
    host = client.config.host or "unknown"
    if not any(s.complete for s in live):
        return LiveReader(host=host, metastore_id=None, read_as=None)
    retrier = Retrier(settings)
    try:
        metastore = retrier.call(client.metastores.current).metastore_id
        me = retrier.call(client.current_user.me).user_name
    except ReadFailed as exc:
        raise UserError(f"cannot tell where the live inputs were read: {exc}") from None
    return LiveReader(host=host, metastore_id=metastore, read_as=me)


def read_previous(path: str | None, env: str) -> Read[Mapping[str, Any]]:
    """The earlier report to compare with, or a one-line error naming what is wrong with it."""
    if path is None:
        return Read(None, Source(name="previous", kind="none", complete=True))
    try:
        data = Path(path).read_bytes()
        raw = check_previous(json.loads(data), env)
    except OSError as exc:
        raise UserError(f"cannot read --compare {path}: {exc.strerror or exc}") from None
    except ValueError as exc:  # bad JSON, or PreviousReportError
        raise UserError(f"--compare {path}: {exc}") from None
    source = Source(
        name="previous",
        kind="file",
        location=path,
        taken_at=str(raw["evidence"].get("generated_at")),
        complete=True,
        sha256=hashlib.sha256(data).hexdigest(),
    )
    return Read(raw, source)
