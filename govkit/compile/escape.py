"""Escaping for Terraform templates: every string from YAML must reach Terraform as a literal.

In Terraform JSON every string, object keys included, is a template, so `${...}` and `%{...}`
would be evaluated. Doubling the sigil (`$${`, `%%{`) makes Terraform read them back literally.
"""

from __future__ import annotations


def escape_template(text: str) -> str:
    """`text` as a Terraform template that evaluates to exactly `text`."""
    return text.replace("${", "$${").replace("%{", "%%{")
