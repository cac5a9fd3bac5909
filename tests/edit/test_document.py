"""Files in unusual YAML: edited without losing anything, or refused with the reason."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from govkit.cli.main import main
from tests.compile.support import PRINCIPALS, organisation, write_spec
from tests.edit.support import AS_OF, refused

REQUEST = [
    "--principal",
    "readers",
    "--env",
    "dev",
    "--privileges",
    "USE_SCHEMA,SELECT",
    "--reason",
    "T-1",
]


def _spec(tmp_path: Path, domain: str) -> Path:
    spec = write_spec(
        tmp_path / "spec", {"govkit.yaml": organisation(), "principals.yaml": PRINCIPALS}
    )
    (spec / "sales.yaml").write_text(textwrap.dedent(domain).lstrip(), "utf-8")
    return spec


def test_anchors_elsewhere_survive_an_edit(tmp_path: Path) -> None:
    spec = _spec(
        tmp_path,
        """
        domain: sales
        owner: owners
        comment: &about "Sales: orders and returns"
        schemas:
          orders:
            comment: *about
            grants:
              - {principal: owners, privileges: [USE_SCHEMA]}
    """,
    )
    assert main(["request", str(spec), "--on", "sales.orders", *REQUEST, *AS_OF]) == 0
    text = (spec / "sales.yaml").read_text()
    assert 'comment: &about "Sales: orders and returns"' in text
    assert "    comment: *about\n" in text
    assert (
        "      - {principal: readers, privileges: [SELECT, USE_SCHEMA], environments: [dev],"
        " reason: T-1}\n" in text
    )


def test_comments_in_odd_places_are_kept(tmp_path: Path) -> None:
    original = textwrap.dedent("""
        # the sales domain
        domain: sales   # owned by the sales leads
        owner: 'owners'
        schemas:

          orders:  # the order book
            grants:
              # people first
              - principal: owners   # always
                privileges: [USE_SCHEMA]

              # then the rest
              - principal: sp-deploy
                privileges: [USE_SCHEMA]   # deploys
            # tables follow
            tables: {lines: {}}
    """).lstrip()
    spec = _spec(tmp_path, original)
    assert main(["request", str(spec), "--on", "sales.orders", *REQUEST, *AS_OF]) == 0
    text = (spec / "sales.yaml").read_text()
    kept = [line for line in original.splitlines() if line.strip()]
    lines = text.splitlines()
    assert [line for line in lines if line in kept] == kept  # every line, in order
    assert "owner: 'owners'" in text
    assert text.index("      - principal: readers") < text.index("    # tables follow")


# readers hold the path to every schema, so that a request adds only its own entry.
SHARED_BY_AN_ANCHOR = """
domain: sales
owner: owners
grants: [{principal: readers, privileges: [USE_CATALOG, USE_SCHEMA]}]
schemas:
  orders:
    grants: &std
      - {principal: owners, privileges: [USE_SCHEMA]}
  returns:
    grants: *std
"""
TWO_INDENTATION_STYLES = """
domain: sales
owner: owners
grants: [{principal: readers, privileges: [USE_CATALOG, USE_SCHEMA]}]
schemas:
  orders:
    grants:
      - principal: owners
        privileges:
        - USE_SCHEMA
"""


@pytest.mark.parametrize(
    ("domain", "reason"),
    [
        (SHARED_BY_AN_ANCHOR, "inside a YAML anchor or alias; editing it would change every place"),
        (TWO_INDENTATION_STYLES, "ruamel.yaml cannot write this file back unchanged"),
    ],
)
def test_what_cannot_be_edited_safely_is_refused_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], domain: str, reason: str
) -> None:
    spec = _spec(tmp_path, domain)
    err = refused(capsys, spec, "request", str(spec), "--on", "sales.orders", *REQUEST)
    assert reason in err


def test_only_the_edited_grants_are_rewritten(tmp_path: Path) -> None:
    # The other schema's list style would not survive a whole-file round trip; the edit of
    # `orders` touches only its own `grants:` lines, so the request goes through.
    original = TWO_INDENTATION_STYLES.replace("  orders:", "  returns:").lstrip() + (
        "  orders:\n    grants:\n      - {principal: owners, privileges: [USE_SCHEMA]}\n"
    )
    spec = _spec(tmp_path, original)
    assert main(["request", str(spec), "--on", "sales.orders", *REQUEST, *AS_OF]) == 0
    text = (spec / "sales.yaml").read_text()
    assert text == original + (
        "      - {principal: readers, privileges: [SELECT, USE_SCHEMA], environments: [dev],"
        " reason: T-1}\n"
    )


def test_an_empty_grants_key_is_filled_in_the_file_s_style(tmp_path: Path) -> None:
    original = (
        "domain: sales\nowner: owners\ngrants:\nschemas:\n  orders:\n    grants:\n"
        "      - principal: owners\n        privileges: [USE_SCHEMA]\n"
    )
    spec = _spec(tmp_path, original)
    args = [*REQUEST[:-4], "--privileges", "USE_CATALOG", "--reason", "T-1"]
    assert main(["request", str(spec), "--on", "sales", *args, *AS_OF]) == 0
    assert (spec / "sales.yaml").read_text() == original.replace(
        "grants:\nschemas:",
        "grants:\n  - principal: readers\n    privileges: [USE_CATALOG]\n"
        "    environments: [dev]\n    reason: T-1\nschemas:",
    )


def test_grants_that_end_their_mapping_are_cut_where_the_next_sibling_starts(
    tmp_path: Path,
) -> None:
    tail = "    tables:\n      lines:\n        grants:\n        - principal: owners\n"
    original = (
        TWO_INDENTATION_STYLES.lstrip()
        + tail
        + ("          privileges:\n          - SELECT\n      refunds: {}\n")
    )
    spec = _spec(tmp_path, original)
    args = ["--on", "sales.orders.lines", *REQUEST[:-4], "--privileges", "MODIFY"]
    assert main(["request", str(spec), *args, "--reason", "T-1", *AS_OF]) == 0
    assert (spec / "sales.yaml").read_text() == original.replace(
        "      refunds: {}\n",
        "        - principal: readers\n          privileges:\n          - MODIFY\n"
        "          environments:\n          - dev\n          reason: T-1\n      refunds: {}\n",
    )


COMMENTED = """\
# the sales domain
domain: sales   # owned by the sales leads
owner: owners
schemas:
  orders:  # the order book
    grants:
      # people first
      - principal: owners   # always
        privileges: [USE_SCHEMA]

      # readers, for the quarterly review
      - principal: readers  # T-1
        privileges: [USE_SCHEMA, SELECT]
        environments: [dev]
        reason: T-1
    # tables follow
    tables:
      lines:
        grants:
          - principal: owners  # table readers
            privileges: [SELECT]
          # more to come
# end of file
"""
READERS_ENTRY = """
      # readers, for the quarterly review
      - principal: readers  # T-1
        privileges: [USE_SCHEMA, SELECT]
        environments: [dev]
        reason: T-1
"""
TABLE_OWNERS = "          - principal: owners  # table readers\n            privileges: [SELECT]\n"
MODIFY = ["--privileges", "MODIFY", "--reason", "T-3"]


@pytest.mark.parametrize(
    ("argv", "old", "new"),
    [
        pytest.param(
            ["revoke", "--principal", "readers", "--on", "sales.orders"],
            READERS_ENTRY,
            "",
            id="revoke-removes-the-entry-with-its-own-comment-only",
        ),
        pytest.param(
            ["revoke", "--principal", "readers", "--on", "sales.orders", "--privileges", "SELECT"],
            "privileges: [USE_SCHEMA, SELECT]",
            "privileges: [USE_SCHEMA]",
            id="revoke-of-a-privilege-keeps-the-entry-s-comments",
        ),
        pytest.param(
            ["revoke", "--principal", "owners", "--on", "sales.orders.lines"],
            TABLE_OWNERS,
            TABLE_OWNERS + "            environments: [prod]\n",
            id="revoke-in-one-environment-narrows-under-the-entry-s-comment",
        ),
        pytest.param(
            ["request", "--principal", "readers", "--on", "sales.orders.lines", *MODIFY],
            COMMENTED,
            # The table entry goes above the comment that ends its list; the USE_CATALOG that
            # readers lack on the way to it becomes the domain's first catalog grant.
            COMMENTED.replace(
                "owner: owners\n",
                "owner: owners\ngrants:\n  - principal: readers\n    privileges: [USE_CATALOG]\n"
                "    environments: [dev]\n    reason: T-3\n",
            ).replace(
                TABLE_OWNERS,
                TABLE_OWNERS + "          - principal: readers\n            privileges: [MODIFY]\n"
                "            environments: [dev]\n            reason: T-3\n",
            ),
            id="request-adds-above-the-comment-that-ends-the-list",
        ),
    ],
)
def test_request_and_revoke_change_only_their_entry_and_keep_every_comment(
    tmp_path: Path, argv: list[str], old: str, new: str
) -> None:
    spec = _spec(tmp_path, COMMENTED)
    assert main([argv[0], str(spec), *argv[1:], "--env", "dev", *AS_OF]) == 0
    assert COMMENTED.count(old) == 1
    assert (spec / "sales.yaml").read_text() == COMMENTED.replace(old, new)


def test_revoke_keeps_the_comment_above_the_next_entry(tmp_path: Path) -> None:
    deployer = "\n      # then the deployer\n      - principal: sp-deploy\n"
    deployer += "        privileges: [USE_SCHEMA]\n"
    original = COMMENTED.replace(READERS_ENTRY, READERS_ENTRY + deployer)
    spec = _spec(tmp_path, original)
    argv = ["--principal", "readers", "--on", "sales.orders", "--env", "dev"]
    assert main(["revoke", str(spec), *argv, *AS_OF]) == 0
    assert (spec / "sales.yaml").read_text() == original.replace(READERS_ENTRY, "")


def test_revoke_of_the_last_entry_keeps_the_comment_that_ends_its_list(tmp_path: Path) -> None:
    ending = "      # kept for the audit\n"
    original = COMMENTED.replace(READERS_ENTRY, READERS_ENTRY + ending)
    spec = _spec(tmp_path, original)
    argv = ["--principal", "readers", "--on", "sales.orders", "--env", "dev"]
    assert main(["revoke", str(spec), *argv, *AS_OF]) == 0
    assert (spec / "sales.yaml").read_text() == original.replace(READERS_ENTRY, "")
