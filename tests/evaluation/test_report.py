"""The evaluation report's table per plate type, from the labels' forms."""

from collections import Counter

from plate_ocr.evaluation.report import add_distances, format_report, summarize


def row(label: str, prediction: str) -> dict:
    return {"label": label, "prediction": prediction, "subset": "", "confidence": 1.0, "path": label}


def test_plates_are_scored_per_type_of_their_form():
    rows = [row("皖A12345", "皖A12345"), row("使014578", "使014578"), row("使014579", "皖014579")]
    add_distances(rows)
    summary = summarize(rows)
    types = summary["types"]
    assert types["blue/yellow/yellow_double"]["accuracy"] == 1.0
    assert types["embassy"]["num_samples"] == 2 and types["embassy"]["accuracy"] == 0.5
    printed = format_report(summary, Counter(), 3)
    assert "per plate type (of the label's form):" in printed
    assert "  blue/yellow/yellow_double       1    1.0000" in printed
