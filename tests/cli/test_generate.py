"""How ``ilab data generate`` prints a run's report (``cli/_generate.py``)."""

from __future__ import annotations

from collections import Counter
from io import StringIO

from rich.console import Console

from instructlab.cli._generate import render_report, render_summary
from instructlab.core import BlockReport, LeafReport, MixCleaning, RunReport


def _report() -> RunReport:
    report = RunReport("/runs/r")
    report.leaves = [
        LeafReport(
            "skills/poems/qna.yaml",
            "freeform_skill",
            "/p",
            4,
            rows_out=6,
            blocks=[BlockReport("gen", "LLMBlock", 4, 6, faults={"empty completion": 2})],
        ),
        LeafReport("skills/empty/qna.yaml", "freeform_skill", "/p", 2, error="nothing parsed"),
    ]
    report.requests, report.cached_samples = 9, 3
    report.mixing = {
        "skills": MixCleaning(8, Counter({"exact duplicate": 2}), {"exact duplicate": ["a", "b"]}),
        "legacy": MixCleaning(5, Counter({"test-set overlap": 1}), {"test-set overlap": ["[x]"]}),
    }
    return report


def test_the_report_prints_leaves_blocks_faults_mixing_and_errors() -> None:
    out = StringIO()
    render_report(_report(), Console(file=out, width=300))
    text = out.getvalue()
    assert "skills/poems/qna.yaml" in text and "gen" in text
    assert "Faults (skipped):" in text and "gen: empty completion" in text
    assert "9 requests (0 retries, 0 errors, 0 throttled), 3 answers from the cache" in text
    assert "Removed while mixing" in text
    assert "skills: exact duplicate (same user and assistant text" in text
    assert "legacy: test-set overlap" in text and "e.g. [x]" in text  # markup is escaped
    assert "Error: leaf skills/empty/qna.yaml yielded no training rows (nothing parsed)" in text


def test_the_summary_is_a_line_and_the_errors() -> None:
    out = StringIO()
    render_summary(_report(), Console(file=out, width=300))
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("6 rows generated for 2 leaves (0 dropped by filters, 2 skipped")
    assert lines[1].startswith("Error: leaf skills/empty/qna.yaml")
