"""asv benchmarks: one ``bench_<import_name>.py`` module per distribution.

``asv run --python=same --quick`` times the packages installed in the current
environment; ``asv run`` builds each commit's wheels (see asv.conf.json) for history.
The side-by-side peer comparisons live in ``peers/`` (not an asv package).
"""
