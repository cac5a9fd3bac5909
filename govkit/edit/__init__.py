"""Round-trip edits of spec files, shared by request, revoke, expire and onboard.

Every edit keeps comments, key order, quoting and blank lines, is validated in memory by the
whole pipeline before anything is written, and is written atomically.
"""
