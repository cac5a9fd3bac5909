"""Identities: who exists in Entra ID and who is a direct member of what."""
