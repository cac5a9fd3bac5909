"""Read every `*.yaml` under a spec folder: parse, refuse duplicate keys, classify by top-level key.

The fast path is a plain load with PyYAML's C parser. Positions are recovered only for the files
that have a diagnostic, by composing that file again (`SourceIndex.position`).
"""

from __future__ import annotations

import enum
import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

import yaml

from govkit.diagnostics import Diagnostic, Path, Severity
from govkit.spec.construct import DuplicateKey, load_document

MAX_FILE_BYTES = 8 * 1024 * 1024

try:  # PyYAML built with libyaml
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on the machine
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class FileKind(str, enum.Enum):
    ORGANISATION = "organisation"
    PRINCIPALS = "principals"
    DOMAIN = "domain"


PRINCIPAL_KEYS = ("groups", "service_principals", "users")


@dataclass(frozen=True)
class SpecFile:
    """One parsed spec file. `path` is how diagnostics name it (relative, as the user gave it)."""

    path: str
    kind: FileKind
    data: dict[str, Any]


class SpecLoader(_BaseLoader):
    """C-parsed safe loader that keeps dates as text.

    Dates stay strings so that an impossible date (`2027-02-30`) reaches validation as a coded
    diagnostic instead of failing inside the YAML constructor.
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        # Most scalars in a spec are names that start with a letter no implicit type starts
        # with; answer those without the regex scan, which is most of PyYAML's load time.
        if kind is yaml.ScalarNode and value and (not implicit[0] or value[0] not in _FIRST):
            return _STR
        return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]  # PyYAML is untyped


_STR = "tag:yaml.org,2002:str"
SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_FIRST = frozenset(k for k, v in SpecLoader.yaml_implicit_resolvers.items() if v)


def _diag(code: str, message: str, file: str, hint: str, line: int = 0, col: int = 0) -> Diagnostic:
    return Diagnostic(
        code=code,
        severity=Severity.ERROR,
        message=message,
        rule="spec.load",
        file=file,
        hint=hint,
        line=line,
        col=col,
    )


def _is_tab_at(text: str, line: int, col: int) -> bool:
    lines = text.splitlines()
    if not 0 < line <= len(lines):
        return False
    return "\t" in lines[line - 1][: max(col, 1)]


def _yaml_error(file: str, text: str, exc: yaml.YAMLError) -> Diagnostic:
    mark = getattr(exc, "problem_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = getattr(exc, "problem", None) or str(exc)
    if isinstance(exc, DuplicateKey):
        return _diag("GOV003", problem, file, "remove or rename one of the two", line, col)
    if _is_tab_at(text, line, col):
        return _diag(
            "GOV002",
            "tab character used for indentation",
            file,
            "indent with spaces; YAML does not allow tabs",
            line,
            col,
        )
    context = getattr(exc, "context", None)
    message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    return _diag("GOV001", message, file, "fix the YAML syntax at this position", line, col)


def _decode(file: str, raw: bytes) -> tuple[str | None, Diagnostic | None]:
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        return None, _diag(
            "GOV004",
            f"file is not UTF-8 (byte 0x{raw[exc.start]:02x})",
            file,
            "save the file as UTF-8",
            line,
            col,
        )


def _unreadable(file: str, full: FsPath, exc: OSError) -> Diagnostic:
    """A file that cannot be read: a dangling link, no permission, a folder named *.yaml."""
    reason = exc.strerror or type(exc).__name__
    if full.is_symlink() and not full.exists():
        message = f"cannot read file: a symbolic link to {os.readlink(full)}, which does not exist"
        hint = "point the link at an existing file, or remove it"
    elif isinstance(exc, PermissionError):
        message = f"cannot read file: {reason}"
        hint = "make it readable to the user running govkit, or move it out of the spec folder"
    else:
        message = f"cannot read file: {reason}"
        hint = "make it a readable YAML file, or move it out of the spec folder"
    return _diag("GOV014", message, file, hint)


_SPECIAL = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def read_spec_file(display: str, full: FsPath) -> bytes | Diagnostic:
    """A spec file's bytes, or the diagnostic that says why it cannot be read.

    Only regular files are opened: reading a named pipe waits for a writer that never comes,
    so `govkit validate` would hang instead of answering.
    """
    try:
        mode = full.stat().st_mode
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in _SPECIAL if test(mode)), "not a regular file")
            return _diag(
                "GOV015",
                f"not a regular file: {kind}",
                display,
                "a spec file is a regular YAML file: remove it or move it out of the spec folder",
            )
        return full.read_bytes()
    except OSError as exc:
        return _unreadable(display, full, exc)


def classify(data: dict[str, Any]) -> FileKind | None:
    if "domain" in data:
        return FileKind.DOMAIN
    if "version" in data:
        return FileKind.ORGANISATION
    if any(k in data for k in PRINCIPAL_KEYS):
        return FileKind.PRINCIPALS
    return None


def parse_file(file: str, raw: bytes) -> tuple[SpecFile | None, Diagnostic | None]:
    """Parse one file's bytes into a classified SpecFile, or one load diagnostic."""
    if len(raw) > MAX_FILE_BYTES:
        return None, _diag(
            "GOV006",
            f"file is {len(raw) / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES // 2**20} MiB",
            file,
            "split it into several files (one domain per file)",
            1,
            1,
        )
    text, error = _decode(file, raw)
    if text is None:
        return None, error
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        data = load_document(text, SpecLoader)
    except yaml.YAMLError as exc:
        return None, _yaml_error(file, text, exc)
    if data is None:
        return None, _diag("GOV005", "file is empty", file, "add content or delete the file", 1, 1)
    if not isinstance(data, dict):
        return None, _diag(
            "GOV007",
            f"top level is a {type(data).__name__}; a spec file is a mapping",
            file,
            "start with `version:`, `domain:`, `groups:`, `service_principals:` or `users:`",
            1,
            1,
        )
    kind = classify(data)
    if kind is None:
        keys = ", ".join(sorted(str(k) for k in data)[:5])
        return None, _diag(
            "GOV008",
            f"unknown kind of spec file (top-level keys: {keys})",
            file,
            "an organisation file has `version`, a domain file `domain`, "
            "a principal file `groups`, `service_principals` or `users`",
            1,
            1,
        )
    return SpecFile(path=file, kind=kind, data=data), None


def spec_paths(spec_dir: str) -> Iterator[tuple[str, FsPath]]:
    """(display path, filesystem path) of every spec file, sorted, hidden folders skipped."""
    root = FsPath(spec_dir)
    found: list[tuple[str, FsPath]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.endswith((".yaml", ".yml")) and not name.startswith("."):
                full = FsPath(dirpath) / name
                rel = full.relative_to(root).as_posix()
                found.append((f"{spec_dir.rstrip('/')}/{rel}", full))
    yield from sorted(found)


@dataclass
class Loaded:
    files: list[SpecFile] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, bytes] = field(default_factory=dict)


def load_files(spec_dir: str, overrides: Mapping[str, bytes | None] | None = None) -> Loaded:
    """Parse every spec file under `spec_dir`; collect every load error, never stop at one.

    `overrides` (display path -> bytes, or None for a file that is gone) stands in for files on
    disk, so that an edit or a git revision is validated before anything is written.
    """
    out = Loaded()
    if overrides:
        return _load_overridden(spec_dir, overrides)
    if not os.path.isdir(spec_dir):
        out.diagnostics.append(
            _diag(
                "GOV009",
                f"spec folder {spec_dir} does not exist",
                spec_dir,
                "pass the folder that holds govkit.yaml",
            )
        )
        return out
    for display, full in spec_paths(spec_dir):
        raw = read_spec_file(display, full)
        if isinstance(raw, Diagnostic):
            out.diagnostics.append(raw)
            continue
        out.sources[display] = raw
        spec_file, error = parse_file(display, raw)
        if error is not None:
            out.diagnostics.append(error)
        elif spec_file is not None:
            out.files.append(spec_file)
    return out


def _load_overridden(spec_dir: str, overrides: Mapping[str, bytes | None]) -> Loaded:
    out = Loaded()
    on_disk = dict(spec_paths(spec_dir)) if os.path.isdir(spec_dir) else {}
    for display in sorted(set(on_disk) | set(overrides)):
        raw = (
            overrides[display]
            if display in overrides
            else read_spec_file(display, on_disk[display])
        )
        if raw is None:
            continue
        if isinstance(raw, Diagnostic):
            out.diagnostics.append(raw)
            continue
        out.sources[display] = raw
        spec_file, error = parse_file(display, raw)
        if error is not None:
            out.diagnostics.append(error)
        elif spec_file is not None:
            out.files.append(spec_file)
    return out


class SourceIndex:
    """Turns (file, document path) into (line, col) by composing the file again, once."""

    def __init__(self, sources: dict[str, bytes]) -> None:
        self._sources = sources
        self._nodes: dict[str, yaml.Node | None] = {}

    def _root(self, file: str) -> yaml.Node | None:
        if file not in self._nodes:
            raw = self._sources.get(file)
            try:
                text = raw.decode("utf-8").lstrip("\ufeff") if raw is not None else ""
                self._nodes[file] = yaml.compose(text, Loader=SpecLoader)
            except (UnicodeDecodeError, yaml.YAMLError):
                self._nodes[file] = None
        return self._nodes[file]

    def position(self, file: str, path: Path, at_key: bool = False) -> tuple[int, int]:
        if file not in self._sources:
            return (0, 0)  # a folder, or a securable's name: no position to give
        node = self._root(file)
        if node is None:
            return (1, 1)
        best = node.start_mark
        last = len(path) - 1
        for i, step in enumerate(path):
            child: yaml.Node | None = None
            key_node: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if k.value == str(step):
                        key_node, child = k, v
                        break
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(step, int)
                and 0 <= step < len(node.value)
            ):
                child = node.value[step]
            if child is None:
                break
            at_this_key = at_key and key_node is not None and i == last
            best = key_node.start_mark if at_this_key and key_node else child.start_mark
            node = child
        return (best.line + 1, best.column + 1)
