"""Write the report's files all or none: into a temporary folder, then renamed into place."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from govkit.audit.build import report_json_bytes
from govkit.audit.model import AuditReport
from govkit.audit.render_csv import render_csv
from govkit.audit.render_html import render_html
from govkit.audit.render_md import render_markdown

FORMATS = ("md", "html", "json", "csv")


def render(report: AuditReport, formats: Iterable[str]) -> dict[str, str | bytes]:
    """File name -> text (or UTF-8 bytes), for each format asked for."""
    env = re.sub(r"[^A-Za-z0-9_.-]", "_", report.evidence.environment)
    files: dict[str, str | bytes] = {}
    wanted = set(formats)
    if "md" in wanted:
        files[f"audit-{env}.md"] = render_markdown(report)
    if "html" in wanted:
        files[f"audit-{env}.html"] = render_html(report)
    if "json" in wanted:
        files[f"audit-{env}.json"] = report_json_bytes(report)
    if "csv" in wanted:
        files.update({f"audit-{env}-{stem}.csv": text for stem, text in render_csv(report).items()})
    return files


def write_files(out: Path, files: Mapping[str, str | bytes]) -> list[Path]:
    """Every file appears, or none does (a failure removes what was already moved)."""
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".audit-", dir=out))
    moved: list[Path] = []
    try:
        for name, text in files.items():
            if isinstance(text, bytes):
                (staging / name).write_bytes(text)
            else:
                (staging / name).write_text(text, encoding="utf-8")
        for name in files:
            target = out / name
            os.replace(staging / name, target)
            moved.append(target)
    except BaseException:
        for path in moved:
            path.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return moved
