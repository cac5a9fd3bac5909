"""Write the report's files all or none, with a manifest of every file of the run.

The files are written into a temporary folder, then renamed into place; a file they replace is
moved aside first and put back if anything fails, so a failed overwrite leaves the previous
report whole. A file of an earlier run that this run does not write (a format left out this
time) is removed, so that the folder holds one run, which its manifest lists with hashes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from govkit.audit.build import report_json_bytes
from govkit.audit.model import AuditReport
from govkit.audit.render_csv import CSV_STEMS, render_csv
from govkit.audit.render_html import render_html
from govkit.audit.render_md import render_markdown

FORMATS = ("md", "html", "json", "csv")
MANIFEST_FORMAT = "govkit.audit-manifest/v1"


def _stem(report: AuditReport) -> str:
    return "audit-" + re.sub(r"[^A-Za-z0-9_.-]", "_", report.evidence.environment)


def render(report: AuditReport, formats: Iterable[str]) -> dict[str, str | bytes]:
    """File name -> text (or UTF-8 bytes), for each format asked for."""
    stem = _stem(report)
    files: dict[str, str | bytes] = {}
    wanted = set(formats)
    if "md" in wanted:
        files[f"{stem}.md"] = render_markdown(report)
    if "html" in wanted:
        files[f"{stem}.html"] = render_html(report)
    if "json" in wanted:
        files[f"{stem}.json"] = report_json_bytes(report)
    if "csv" in wanted:
        files.update({f"{stem}-{name}.csv": text for name, text in render_csv(report).items()})
    return files


def manifest_name(report: AuditReport) -> str:
    return f"{_stem(report)}.manifest.json"


def _every_name(report: AuditReport) -> set[str]:
    """Every file a run of this environment can write, whatever its formats."""
    stem = _stem(report)
    return {f"{stem}.md", f"{stem}.html", f"{stem}.json"} | {
        f"{stem}-{name}.csv" for name in CSV_STEMS
    }


def _bytes(text: str | bytes) -> bytes:
    return text if isinstance(text, bytes) else text.encode("utf-8")


def with_manifest(
    report: AuditReport, files: Mapping[str, str | bytes], inputs: Mapping[str, bytes]
) -> dict[str, bytes]:
    """The files of the run (report and saved inputs) and the manifest that lists them."""
    out = {name: _bytes(text) for name, text in {**files, **inputs}.items()}
    manifest = {
        "format": MANIFEST_FORMAT,
        "environment": report.evidence.environment,
        "generated_at": report.evidence.generated_at,
        "content_sha256": report.evidence.content_sha256,
        "files": [
            {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
            for name, data in sorted(out.items())
        ],
    }
    out[manifest_name(report)] = (json.dumps(manifest, indent=2) + "\n").encode("utf-8")
    return out


def _previous(out: Path, manifest: str) -> set[str]:
    """The files the folder's earlier manifest lists (none when there is none, or it is bad)."""
    try:
        data = json.loads((out / manifest).read_text(encoding="utf-8"))
        return {str(f["name"]) for f in data["files"] if "/" not in str(f["name"])}
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def write_run(out: Path, report: AuditReport, files: Mapping[str, bytes]) -> list[Path]:
    """Write one run's files, remove what an earlier run left that this one does not write."""
    manifest = manifest_name(report)
    leftovers = (_every_name(report) | _previous(out, manifest)) - set(files)
    return write_files(out, files, remove=sorted(leftovers))


def write_files(
    out: Path, files: Mapping[str, str | bytes], remove: Iterable[str] = ()
) -> list[Path]:
    """Every file appears (and every file of `remove` goes), or nothing changes."""
    out.mkdir(parents=True, exist_ok=True)
    targets = [out / name for name in files]
    gone = [out / name for name in remove if (out / name).exists()]
    for path in [*targets, *gone]:
        if path.exists() and not path.is_file():
            raise IsADirectoryError(21, "Is a directory", str(path))
    staging = Path(tempfile.mkdtemp(prefix=".audit-", dir=out))
    aside = staging / ".previous"
    aside.mkdir()
    moved: list[Path] = []
    kept: list[Path] = []
    try:
        for name, text in files.items():
            (staging / name).write_bytes(_bytes(text))
        for path in [*targets, *gone]:
            if path.exists():
                os.replace(path, aside / path.name)
                kept.append(path)
        for path in targets:
            os.replace(staging / path.name, path)
            moved.append(path)
    except BaseException:
        for path in moved:
            path.unlink(missing_ok=True)
        for path in kept:
            os.replace(aside / path.name, path)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return targets
