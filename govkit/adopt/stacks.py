"""The Terraform side of an import: the imported spec compiled, each stack with its imports."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from govkit.adopt.imports import import_blocks, import_files
from govkit.diagnostics import Diagnostic, Severity
from govkit.state import State

if TYPE_CHECKING:
    from govkit.adopt import Adoption
    from govkit.adopt.request import ImportRequest


def write_stacks(
    req: ImportRequest, state: State, adoption: Adoption
) -> tuple[list[Diagnostic], str]:
    """Compile the spec now in `req.out` into `req.terraform_out`, with `imports.tf.json`."""
    from govkit.compile import CompileError, compile_stacks
    from govkit.compile.writer import OutputError, modules_relative_to, write_files
    from govkit.pipeline import validate

    assert req.terraform_out is not None
    out = req.terraform_out
    validated = validate(str(req.out), req.today)
    if validated.spec is None:
        errors = [d for d in validated.diagnostics if d.severity is Severity.ERROR]
        return errors, f"{out}: nothing compiled: the spec in {req.out} does not validate"
    try:
        compiled = compile_stacks(
            validated.spec, validated.environments, modules_relative_to(str(out), req.modules)
        )
        blocks, problems = import_blocks(compiled, req.env, state, adoption.principals)
        write_files(Path(out), {**compiled.files(), **import_files(blocks)})
    except (CompileError, OutputError) as exc:
        return [], f"{out}: nothing compiled: {exc}"
    count = sum(len(b) for b in blocks.values())
    return problems, (
        f"{out}: {len(compiled.stacks)} stacks compiled; {count} import blocks in "
        f"{len(blocks)} stacks of {req.env}"
    )
