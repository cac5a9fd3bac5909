"""Fuzzing govkit's readers: any bytes give a coded error or a clean 400, never a traceback.

`python -m govkit.fuzz TARGET --runs N` runs one target with atheris (coverage-guided) where it
is installed, else with hypothesis; the tests run every target with a small, derandomized budget.
"""
