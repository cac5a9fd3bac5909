"""Exit codes of every command, as Terraform's `-detailed-exitcode`."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    CLEAN = 0
    ERROR = 1  # invalid spec, failed or incomplete read, usage
    CHANGES = 2  # drift, diff or plan has changes
