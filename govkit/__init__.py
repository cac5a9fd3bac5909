"""govkit: Unity Catalog governance as code."""

__version__ = "0.1.0"
