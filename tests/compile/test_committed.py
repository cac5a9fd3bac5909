"""The committed compiled output of the bundled estate is what the spec compiles to.

CI runs `govkit compile --check`; this test catches a stale terraform/generated earlier. After
changing catalogs/, run `govkit compile` (scripts/main does) and commit terraform/generated.
"""

from __future__ import annotations

from govkit.cli.main import main
from tests.compile.support import MODULES, ROOT


def test_terraform_generated_is_fresh(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    args = ["compile", "catalogs", "--out", "terraform/generated", "--modules", str(MODULES)]
    code = main([*args, "--check", "--as-of", "2026-11-26"])
    assert code == 0, capsys.readouterr().err
