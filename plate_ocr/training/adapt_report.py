"""What self-training (plate_ocr.training.adapt) reports of its rounds: each reading scored against the plates
the crops' names carry, the rounds as a table (rounds.md, rounds.json), every crop's reading of a round
(pseudo_labels/round_k.csv), and why a round that kept nothing stopped."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from plate_ocr.training.pseudo_labels import PseudoLabel


@dataclass(frozen=True)
class RoundReport:
    """One reading of all crops: how many were kept and, for crops whose names carry plates (`labelled`),
    how many kept labels were right and how many crops were read right once and by the framings' vote."""

    round: int
    crops: int
    kept: int
    labelled: int
    kept_labelled: int
    kept_right: int
    once_right: int
    voted_right: int
    seconds: float

    @property
    def precision(self) -> float | None:
        return self.kept_right / self.kept_labelled if self.kept_labelled else None

    @property
    def accuracy(self) -> float | None:
        return self.once_right / self.labelled if self.labelled else None

    @property
    def voted_accuracy(self) -> float | None:
        return self.voted_right / self.labelled if self.labelled else None

    def metrics(self) -> dict[str, float]:
        """The round's scores as logged metrics (`adapt/...`); those without labelled crops are absent."""
        scores = {"kept": self.kept, "precision": self.precision, "accuracy": self.accuracy}
        scores["voted_accuracy"] = self.voted_accuracy
        return {f"adapt/{name}": float(value) for name, value in scores.items() if value is not None}


def report_round(
    round_: int, labels: Sequence[PseudoLabel], truth: dict[str, str], seconds: float
) -> RoundReport:
    """Count one reading's kept crops and score it against the plates in the names (`truth`)."""
    scored = [label for label in labels if label.path in truth]
    kept = [label for label in scored if label.kept]
    return RoundReport(
        round=round_,
        crops=len(labels),
        kept=sum(label.kept for label in labels),
        labelled=len(scored),
        kept_labelled=len(kept),
        kept_right=sum(label.text == truth[label.path] for label in kept),
        once_right=sum(label.once == truth[label.path] for label in scored),
        voted_right=sum(label.text == truth[label.path] for label in scored),
        seconds=seconds,
    )


def rounds_table(reports: Sequence[RoundReport]) -> str:
    """The rounds as a Markdown table; the scored columns read `-` when no name carries a plate."""

    def share(value: float | None, right: int, total: int) -> str:
        return "-" if value is None else f"{value:.3f} ({right}/{total})"

    rows = [
        "| round | kept | precision of kept | accuracy, read once | accuracy, framings voting | seconds |",
        "|---|---|---|---|---|---|",
    ]
    for r in reports:
        cells = [
            str(r.round),
            f"{r.kept} / {r.crops}",
            share(r.precision, r.kept_right, r.kept_labelled),
            share(r.accuracy, r.once_right, r.labelled),
            share(r.voted_accuracy, r.voted_right, r.labelled),
            f"{r.seconds:.0f}",
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


def write_rounds(reports: Sequence[RoundReport], output_dir: Path) -> str:
    """The rounds as rounds.md (the table, which it returns) and rounds.json in `output_dir`."""
    table = rounds_table(reports)
    (output_dir / "rounds.md").write_text(table, encoding="utf-8")
    rows = [
        asdict(r) | {"precision": r.precision, "accuracy": r.accuracy, "voted_accuracy": r.voted_accuracy}
        for r in reports
    ]
    (output_dir / "rounds.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return table


def write_pseudo_labels(labels: Sequence[PseudoLabel], path: Path) -> None:
    """Every crop's reading of one round as CSV, to see what was kept and why."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["file", "reading", "read_once", "confidence", "agreement", "kept"])
        for label in labels:
            row = [label.path, label.text, label.once, f"{label.confidence:.4f}", f"{label.agreement:.3f}"]
            writer.writerow([*row, int(label.kept)])


def nothing_kept(
    round_: int, labels: Sequence[PseudoLabel], min_confidence: float, min_agreement: float
) -> str:
    """Why a round kept no crop, and which threshold to lower: the agreement when no reading reached it,
    else the confidence; with the best value a crop reached."""
    agreeing = [label for label in labels if label.agreement >= min_agreement and label.text]
    if agreeing:
        best = max(label.confidence for label in agreeing)
        hint = f"lower adapt.min_confidence (now {min_confidence}; the best crop reached {best:.2f})"
    else:
        best = max(label.agreement for label in labels)
        hint = f"lower adapt.min_agreement (now {min_agreement}; the best crop reached {best:.2f})"
    return f"round {round_} kept none of the {len(labels)} crops as pseudo-labels: {hint}"
