"""Cleaning training data: exact and near-duplicate removal, quality filters, decontamination.

The kernels run in Rust (``instructlab._native``) without the GIL; this package is their Python
face. Text columns go in as pyarrow arrays or chunked arrays (zero copy, through the Arrow
PyCapsule interface), ``datasets`` columns, or lists of strings; results come back as numpy
arrays. numpy and pyarrow are imported only when a function here runs (``pip install
'instructlab[data]'``).
"""

from __future__ import annotations

from instructlab.clean.decontam import DecontamResult, decontaminate, load_references
from instructlab.clean.dedup import DedupResult, exact_duplicates, near_duplicates
from instructlab.clean.filter import FilterResult, filter_settings, quality_filter
from instructlab.clean.report import CleanReport, CleanResult
from instructlab.clean.rows import Rows, load_rows
from instructlab.clean.steps import decontaminate_rows, dedup_rows, filter_rows

__all__ = [
    "CleanReport",
    "CleanResult",
    "DecontamResult",
    "DedupResult",
    "FilterResult",
    "Rows",
    "decontaminate",
    "decontaminate_rows",
    "dedup_rows",
    "exact_duplicates",
    "filter_rows",
    "filter_settings",
    "load_references",
    "load_rows",
    "near_duplicates",
    "quality_filter",
]
