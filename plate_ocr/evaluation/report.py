"""Evaluation reports: overall and grouped metrics, confused characters, and the files evaluate.py writes."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from plate_ocr.metrics import PlateAccuracy, PlateCER
from plate_ocr.plate_format import types_of

# Over 80% of CCPD is from Anhui (皖); other provinces are reported as their own group.
DOMINANT_PROVINCE = "皖"

Row = dict  # path, label, subset, prediction, confidence, distance


def add_distances(rows: list[Row]) -> None:
    """Store each row's edit distance between label and prediction."""
    for row in rows:
        row["distance"] = Levenshtein.distance(row["prediction"], row["label"])


def score(rows: Iterable[Row]) -> dict:
    """accuracy, cer and num_samples of some rows, with the same Metric objects training logs, and
    province_accuracy: the share whose first character, the province glyph, is read right."""
    rows = list(rows)
    accuracy, cer = PlateAccuracy(), PlateCER()
    predictions, labels = [r["prediction"] for r in rows], [r["label"] for r in rows]
    accuracy.update(predictions, labels)
    cer.update(predictions, labels)
    province_right = sum(p[:1] == label[:1] for p, label in zip(predictions, labels))
    return {
        "accuracy": float(accuracy.compute()),
        "cer": float(cer.compute()),
        "province_accuracy": province_right / len(rows) if rows else 0.0,
        "num_samples": len(rows),
    }


def grouped(rows: list[Row], key: Callable[[Row], str]) -> dict[str, dict]:
    """score() per group, groups sorted by size, largest first."""
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return {name: score(members) for name, members in sorted(groups.items(), key=lambda g: -len(g[1]))}


def confusions(rows: Iterable[Row]) -> Counter:
    """How often each (label character, predicted character) substitution occurs."""
    pairs: Counter = Counter()
    for row in rows:
        for op in Levenshtein.editops(row["label"], row["prediction"]):
            if op.tag == "replace":
                pairs[(row["label"][op.src_pos], row["prediction"][op.dest_pos])] += 1
    return pairs


def summarize(rows: list[Row]) -> dict:
    """The content of metrics.json: overall scores, per subset, per plate type (the types whose form the
    label fits: plate_ocr.plate_format.types_of), per province, and plates not from 皖."""
    summary = score(rows)
    summary["subsets"] = grouped(rows, lambda r: r["subset"] or "all")
    summary["types"] = grouped(rows, lambda r: "/".join(types_of(r["label"])) or "none")
    summary["provinces"] = grouped(rows, lambda r: r["label"][:1])
    summary["non_" + DOMINANT_PROVINCE] = score(
        r for r in rows if not r["label"].startswith(DOMINANT_PROVINCE)
    )
    return summary


def worst(rows: list[Row], count: int) -> list[int]:
    """Indices of the `count` rows with the highest per-plate CER, misreads only."""

    def plate_cer(row: Row) -> float:
        return row["distance"] / max(len(row["label"]), len(row["prediction"]), 1)

    misread = [i for i, row in enumerate(rows) if row["distance"] > 0]
    return sorted(misread, key=lambda i: -plate_cer(rows[i]))[:count]


def format_table(title: str, groups: dict[str, dict]) -> str:
    """A plain text table of grouped scores."""
    width = max([16, *(len(name) + 1 for name in groups)])
    lines = [title, f"  {'group':<{width}}{'n':>7}{'accuracy':>10}{'cer':>9}{'province':>10}"]
    lines += [
        f"  {name:<{width}}{g['num_samples']:>7}{g['accuracy']:>10.4f}{g['cer']:>9.4f}"
        f"{g['province_accuracy']:>10.4f}"
        for name, g in groups.items()
    ]
    return "\n".join(lines)


def format_report(summary: dict, pairs: Counter, num_confusions: int) -> str:
    """What evaluate.py prints."""
    non_dominant = summary["non_" + DOMINANT_PROVINCE]
    parts = [
        f"accuracy {summary['accuracy']:.4f}  cer {summary['cer']:.4f}"
        f"  province {summary['province_accuracy']:.4f}  on {summary['num_samples']} plates",
        format_table("per subset:", summary["subsets"]),
        format_table("per plate type (of the label's form):", summary["types"]),
        format_table("per province:", summary["provinces"]),
        format_table(f"plates not starting with {DOMINANT_PROVINCE}:", {"all": non_dominant})
        if non_dominant["num_samples"]
        else f"(no plates outside {DOMINANT_PROVINCE})",
        "most confused characters (label -> prediction: count):",
        "  " + (", ".join(f"{a}->{b}: {n}" for (a, b), n in pairs.most_common(num_confusions)) or "none"),
    ]
    return "\n".join(parts)


def write_predictions(rows: list[Row], path: Path) -> None:
    """predictions.csv: file, label, prediction, edit distance, confidence."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "label", "prediction", "edit_distance", "confidence"])
        for row in rows:
            writer.writerow(
                [row["path"], row["label"], row["prediction"], row["distance"], f"{row['confidence']:.4f}"]
            )


def write_metrics(summary: dict, path: Path) -> None:
    """metrics.json, UTF-8 with the glyphs readable."""
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
