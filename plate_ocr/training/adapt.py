"""Self-training on a folder of unlabelled crops: `python train.py experiment=adapt data.unlabelled=DIR`.

Each round reads every crop robustly (plate_ocr.training.pseudo_labels), keeps the confident valid plates as
labels, and fine-tunes on them mixed with synthetic plates (a run of plate_ocr.training.run); the next round
re-labels with the improved model. A last reading after the final round measures where it ended. When the
crops' names carry plates (`<n>-<plate>.jpg`) every reading is also scored against them
(plate_ocr.training.adapt_report); training never sees those labels, unless `adapt.labels=names` trains on
them instead of the readings: the ceiling self-training could reach there.
"""

from __future__ import annotations

import glob
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import hydra
from omegaconf import DictConfig

from plate_ocr.charset import Charset
from plate_ocr.checkpoints import write_slim_checkpoint
from plate_ocr.data.crops import IMAGE_SUFFIXES, image_files, label_from_filename
from plate_ocr.data.records import PlateRecord
from plate_ocr.data.validation import BadFile, apply_policy, check_on_bad, load_image
from plate_ocr.decoding.registry import decoder
from plate_ocr.system import PlateRecognizer
from plate_ocr.training.adapt_report import (
    RoundReport,
    nothing_kept,
    report_round,
    rounds_table,
    write_pseudo_labels,
    write_rounds,
)
from plate_ocr.training.pseudo_labels import PseudoLabel, pseudo_label
from plate_ocr.training.run import (
    build_datamodule,
    build_model,
    build_trainer,
    fit_and_test,
    instantiate_all,
    seed_run,
    write_metrics,
)

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


LABEL_SOURCES = ("model", "names")


def training_records(labels: Sequence[PseudoLabel], truth: dict[str, str], source: str) -> list[PlateRecord]:
    """What a round trains on: the model's kept readings (`source="model"`, self-training) or the plates
    the crops' names carry (`"names"`: training on true labels, the ceiling of self-training on that
    folder)."""
    if source == "names":
        return [PlateRecord(path, plate, "named") for path, plate in truth.items()]
    return [PlateRecord(label.path, label.text, "pseudo") for label in labels if label.kept]


def unlabelled_crops(cfg: DictConfig, model: PlateRecognizer) -> list[PlateRecord]:
    """The crops of `data.unlabelled` (if given) that `model` reads confidently as `pseudo_labels` says,
    labelled with its readings: what a fine-tuning run trains on besides its labelled crops."""
    if not cfg.data.get("unlabelled"):
        return []
    paths = list_unlabelled(cfg.data.unlabelled, cfg.data.on_bad)
    kept = training_records(crop_reader(cfg.pseudo_labels)(model, paths), {}, "model")
    log.info("data.unlabelled: %d of %d crops pseudo-labelled and trained on", len(kept), len(paths))
    return kept


def check_label_source(source: str, truth: dict[str, str], unlabelled: str) -> None:
    """`adapt.labels` must name one of LABEL_SOURCES, and `names` needs crops whose names carry plates."""
    if source not in LABEL_SOURCES:
        raise AdaptError(f"adapt.labels={source}: expected one of {', '.join(LABEL_SOURCES)}")
    if source == "names" and not truth:
        raise AdaptError(f"adapt.labels=names: no crop name in data.unlabelled={unlabelled} carries a plate")


def fit_round(
    cfg: DictConfig, model: PlateRecognizer, kept: list[PlateRecord], round_: int
) -> dict[str, float]:
    """Fine-tune `model` in place on the kept crops mixed with synthetic plates (then test it, as training
    left it, on the synthetic test split) and return the metrics; checkpoints and logs of round k go to
    checkpoints/round_k and <logger>/round_k."""
    datamodule = build_datamodule(cfg, model.image_size, model.charset.alphabet, crops=kept)
    trainer = build_trainer(cfg, version=f"round_{round_}")
    return fit_and_test(trainer, model, datamodule, cfg.test, test_best=False)


def crop_reader(settings: DictConfig) -> Callable[[PlateRecognizer, Sequence[str]], list[PseudoLabel]]:
    """Reads every crop with a model as `settings` (cfg.adapt) say: framings, decoding, thresholds."""
    tta = hydra.utils.instantiate(settings.tta) if settings.get("tta") else None
    decode = decoder(settings.decoding)

    def read(model: PlateRecognizer, paths: Sequence[str]) -> list[PseudoLabel]:
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
        return labels

    return read


def self_train(
    cfg: DictConfig, model: PlateRecognizer, paths: Sequence[str], truth: dict[str, str]
) -> tuple[list[RoundReport], dict[str, float]]:
    """Read, keep, fine-tune, `adapt.rounds` times, then read once more; each reading's report and the
    final metrics (the last round's training and test, and the last reading's scores)."""
    settings = cfg.adapt
    read = crop_reader(settings)
    output = Path(cfg.paths.output_dir)
    reports: list[RoundReport] = []
    metrics: dict[str, float] = {}
    round_loggers = instantiate_all(cfg.get("logger"), version="rounds")
    for round_ in range(settings.rounds + 1):
        began = time.perf_counter()
        labels = read(model, paths)
        report = report_round(round_, labels, truth, time.perf_counter() - began)
        write_pseudo_labels(labels, output / "pseudo_labels" / f"round_{round_}.csv")
        reports.append(report)
        for logger in round_loggers:
            logger.log_metrics(report.metrics(), step=round_)
        log.info("adapt: round %d read\n%s", round_, rounds_table(reports[-1:]))
        if round_ == settings.rounds:
            metrics |= report.metrics()
            break
        kept = training_records(labels, truth, settings.labels)
        if not kept:
            raise AdaptError(nothing_kept(round_, labels, settings.min_confidence, settings.min_agreement))
        metrics = fit_round(cfg, model, kept, round_ + 1)
    for logger in round_loggers:
        logger.finalize("success")
    return reports, metrics


def adapt(cfg: DictConfig) -> dict[str, float]:
    """Self-train from `init_from` (default: the bundled model) on `data.unlabelled` for `adapt.rounds`
    rounds; writes checkpoints/adapted.ckpt, rounds.md, rounds.json, metrics.json and
    pseudo_labels/round_k.csv (every crop's reading) to the run dir."""
    seed_run(cfg)
    model = build_model(cfg.model, cfg.init_from or "bundled")
    paths = list_unlabelled(cfg.data.unlabelled, cfg.data.on_bad)
    truth = labels_in_names(paths, model.charset)
    check_label_source(cfg.adapt.labels, truth, cfg.data.unlabelled)
    use = "trained on, adapt.labels=names" if cfg.adapt.labels == "names" else "for the report only"
    log.info("adapt: %d crops, %d of them with a plate in their name (%s)", len(paths), len(truth), use)
    reports, metrics = self_train(cfg, model, paths, truth)
    output = Path(cfg.paths.output_dir)
    table = write_rounds(reports, output)
    adapted = write_slim_checkpoint(
        output / "checkpoints" / "adapted.ckpt",
        model.state_dict(),
        dict(model.hparams),
        {"epoch": None, "global_step": None},
    )
    write_metrics(output, metrics)
    print(f"\nSelf-training rounds ({output / 'rounds.md'}):\n{table}\nadapted model: {adapted}")
    return metrics
