"""The governance repository around the spec: CODEOWNERS and the scaffolds of init and onboard."""
