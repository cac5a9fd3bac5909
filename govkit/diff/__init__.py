"""The access diff between two revisions of the spec: grants, effective access, findings.

Downstream of the pipeline and of `govkit.access` (the one module of effective access).
"""
