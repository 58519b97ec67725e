"""Self-training on a folder of unlabelled crops: `python train.py experiment=adapt data.unlabelled=DIR`.

Each round reads every crop robustly (plate_ocr.training.pseudo_labels), keeps the confident valid plates as
labels, and fine-tunes on them mixed with synthetic plates; the next round re-labels with the improved
model. A last reading after the final round measures where it ended. When the crops' names carry plates
(`<n>-<plate>.jpg`) every reading is also scored against them; training never sees those labels, unless
`adapt.labels=names` trains on them instead of the readings: the ceiling self-training could reach there.
"""

from __future__ import annotations

import csv
import functools
import glob
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import hydra
import pytorch_lightning as pl
from omegaconf import DictConfig, OmegaConf
from pytorch_lightning.callbacks import ModelCheckpoint

from plate_ocr.charset import Charset
from plate_ocr.checkpoints import init_weights, with_architecture_of, write_slim_checkpoint
from plate_ocr.data.crops import IMAGE_SUFFIXES, image_files, label_from_filename
from plate_ocr.data.records import PlateRecord
from plate_ocr.data.validation import BadFile, apply_policy, check_on_bad, load_image
from plate_ocr.decoding.registry import decoder
from plate_ocr.system import PlateRecognizer
from plate_ocr.training.pseudo_labels import PseudoLabel, pseudo_label
from plate_ocr.training.run import instantiate_all

log = logging.getLogger(__name__)


class AdaptError(ValueError):
    """Self-training cannot go on: no crops to read, or a round kept none of them."""


def list_unlabelled(pattern: str | None, on_bad: str = "error") -> list[str]:
    """The crop files of a folder or a glob, sorted; unreadable ones are named (`on_bad=error`) or logged
    and left out (`skip`)."""
    if not pattern:
        raise FileNotFoundError("experiment=adapt needs data.unlabelled=DIR (a folder or glob of crops)")
    path = Path(pattern).expanduser()
    if path.is_dir():
        files = image_files(path)
    else:
        files = sorted(Path(p) for p in glob.glob(str(path), recursive=True))
        files = [p for p in files if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES]
        if not files:
            raise FileNotFoundError(f"data.unlabelled={pattern} matches no {'/'.join(IMAGE_SUFFIXES)} files")
    problems = [BadFile(str(p), why) for p in files if (why := load_image(p)[1])]
    apply_policy(problems, check_on_bad(on_bad))
    bad = {problem.path for problem in problems}
    good = [str(p) for p in files if str(p) not in bad]
    if not good:
        raise AdaptError(f"no readable crops left in data.unlabelled={pattern}")
    return good


def labels_in_names(paths: Sequence[str], charset: Charset) -> dict[str, str]:
    """The plates that crop names carry (`<n>-<plate>.jpg`), for the report only; other names are absent."""
    plates = {path: label_from_filename(path) for path in paths}
    return {path: plate for path, plate in plates.items() if charset.problem(plate) is None}


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


LABEL_SOURCES = ("model", "names")


def training_records(labels: Sequence[PseudoLabel], truth: dict[str, str], source: str) -> list[PlateRecord]:
    """What a round trains on: the model's kept readings (`source="model"`, self-training) or the plates
    the crops' names carry (`"names"`: training on true labels, the ceiling of self-training on that
    folder)."""
    if source == "names":
        return [PlateRecord(path, plate, "named") for path, plate in truth.items()]
    return [PlateRecord(label.path, label.text, "pseudo") for label in labels if label.kept]


def fit_round(
    cfg: DictConfig, model: PlateRecognizer, kept: list[PlateRecord], round_: int
) -> dict[str, float]:
    """Fine-tune `model` in place on the kept crops mixed with synthetic plates (then test it on the
    synthetic test split) and return the metrics; checkpoints and logs of round k go to
    checkpoints/round_k and <logger>/round_k."""
    data_config = OmegaConf.masked_copy(cfg.data, [key for key in cfg.data if key != "unlabelled"])
    datamodule = hydra.utils.instantiate(
        data_config,
        sources=functools.partial(hydra.utils.instantiate(cfg.data.sources), crops=kept),
        augment=hydra.utils.instantiate(cfg.augment),
        image_size=model.image_size,
        alphabet=model.charset.alphabet,
    )
    callbacks = instantiate_all(cfg.get("callbacks"))
    for callback in callbacks:
        if isinstance(callback, ModelCheckpoint) and callback.dirpath:
            callback.dirpath = str(Path(callback.dirpath) / f"round_{round_}")
    trainer: pl.Trainer = hydra.utils.instantiate(
        cfg.trainer, callbacks=callbacks, logger=instantiate_all(cfg.get("logger"), version=f"round_{round_}")
    )
    trainer.fit(model, datamodule=datamodule)
    metrics = {name: float(value) for name, value in trainer.callback_metrics.items()}
    if cfg.test:
        trainer.test(model, datamodule=datamodule)
        metrics |= {name: float(value) for name, value in trainer.callback_metrics.items()}
    return metrics


def adapt(cfg: DictConfig) -> dict[str, float]:
    """Self-train from `init_from` (default: the bundled model) on `data.unlabelled` for `adapt.rounds`
    rounds; writes checkpoints/adapted.ckpt, rounds.md, rounds.json, metrics.json and
    pseudo_labels/round_k.csv (every crop's reading) to the run dir."""
    if cfg.seed is not None:
        pl.seed_everything(cfg.seed, workers=True)
    settings = cfg.adapt
    start = cfg.init_from or "bundled"
    model: PlateRecognizer = hydra.utils.instantiate(with_architecture_of(cfg.model, start))
    init_weights(model, start)
    paths = list_unlabelled(cfg.data.unlabelled, cfg.data.on_bad)
    truth = labels_in_names(paths, model.charset)
    if settings.labels not in LABEL_SOURCES:
        raise AdaptError(f"adapt.labels={settings.labels}: expected one of {', '.join(LABEL_SOURCES)}")
    if settings.labels == "names" and not truth:
        raise AdaptError(
            f"adapt.labels=names: no crop name in data.unlabelled={cfg.data.unlabelled} carries a plate"
        )
    use = "trained on, adapt.labels=names" if settings.labels == "names" else "for the report only"
    log.info("adapt: %d crops, %d of them with a plate in their name (%s)", len(paths), len(truth), use)
    tta = hydra.utils.instantiate(settings.tta) if settings.get("tta") else None
    decode = decoder(settings.decoding)
    output = Path(cfg.paths.output_dir)
    reports: list[RoundReport] = []
    metrics: dict[str, float] = {}
    round_loggers = instantiate_all(cfg.get("logger"), version="rounds")
    for round_ in range(settings.rounds + 1):
        began = time.perf_counter()
        labels = pseudo_label(
            model.eval(),
            paths,
            model.charset,
            model.image_size,
            decode,
            tta,
            settings.min_confidence,
            settings.min_agreement,
            settings.batch_size,
        )
        model.train()  # Lightning trains modules in the mode it finds them in
        report = report_round(round_, labels, truth, time.perf_counter() - began)
        write_pseudo_labels(labels, output / "pseudo_labels" / f"round_{round_}.csv")
        reports.append(report)
        scores = {"kept": report.kept, "precision": report.precision, "accuracy": report.accuracy}
        scores["voted_accuracy"] = report.voted_accuracy
        round_metrics = {f"adapt/{name}": float(value) for name, value in scores.items() if value is not None}
        for logger in round_loggers:
            logger.log_metrics(round_metrics, step=round_)
        log.info("adapt: round %d read\n%s", round_, rounds_table(reports[-1:]))
        if round_ == settings.rounds:
            metrics |= round_metrics
            break
        kept = training_records(labels, truth, settings.labels)
        if not kept:
            raise AdaptError(nothing_kept(round_, labels, settings.min_confidence, settings.min_agreement))
        metrics = fit_round(cfg, model, kept, round_ + 1)
    for logger in round_loggers:
        logger.finalize("success")

    table = rounds_table(reports)
    (output / "rounds.md").write_text(table, encoding="utf-8")
    rows = [
        asdict(r) | {"precision": r.precision, "accuracy": r.accuracy, "voted_accuracy": r.voted_accuracy}
        for r in reports
    ]
    (output / "rounds.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    adapted = write_slim_checkpoint(
        output / "checkpoints" / "adapted.ckpt",
        model.state_dict(),
        dict(model.hparams),
        {"epoch": None, "global_step": None},
    )
    (output / "metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n")
    print(f"\nSelf-training rounds ({output / 'rounds.md'}):\n{table}\nadapted model: {adapted}")
    return metrics
