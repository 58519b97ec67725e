"""Evaluate a checkpoint: `python evaluate.py ckpt=PATH [data=...]` (see conf/evaluate.yaml).

Model, alphabet and preprocessing are rebuilt from the checkpoint. Writes metrics.json,
predictions.csv and errors.png to the run dir and prints the report.
"""

from __future__ import annotations

from pathlib import Path

import hydra
import pytorch_lightning as pl
from omegaconf import DictConfig
from PIL import Image

from plate_ocr.checkpoints import CheckpointError, load_recognizer, widened_alphabet
from plate_ocr.data.validation import BadDataError
from plate_ocr.decoding.registry import decoder
from plate_ocr.evaluation import report
from plate_ocr.evaluation.visualize import error_grid
from plate_ocr.plate_format import DEFAULT_ALPHABET


def evaluate(cfg: DictConfig) -> dict:
    """Predict the test split, write the report files and return the metrics summary."""
    if cfg.seed is not None:
        pl.seed_everything(cfg.seed, workers=True)
    model = load_recognizer(cfg.ckpt)
    model.decoder = decoder(cfg.decoding)
    if cfg.get("tta"):
        model.tta = hydra.utils.instantiate(cfg.tta)
    # Plates of characters the model cannot write (a checkpoint older than a plate type) count as misread.
    labels_alphabet = widened_alphabet(model.charset.alphabet, DEFAULT_ALPHABET)
    datamodule = hydra.utils.instantiate(cfg.data, image_size=model.image_size, alphabet=labels_alphabet)
    datamodule.setup("test")
    trainer: pl.Trainer = hydra.utils.instantiate(cfg.trainer, logger=False, enable_checkpointing=False)
    batches = trainer.predict(model, dataloaders=datamodule.test_dataloader())
    rows = [row for batch in batches for row in batch]
    report.add_distances(rows)
    summary = report.summarize(rows)
    print(report.format_report(summary, report.confusions(rows), cfg.num_confusions))

    output_dir = Path(cfg.paths.output_dir)
    report.write_metrics(summary, output_dir / "metrics.json")
    report.write_predictions(rows, output_dir / "predictions.csv")
    source = datamodule.split("test").source
    worst = report.worst(rows, cfg.num_error_examples)
    grid = error_grid(
        [source[i].image for i in worst],
        [rows[i]["label"] for i in worst],
        [rows[i]["prediction"] for i in worst],
    )
    Image.fromarray(grid).save(output_dir / "errors.png")
    print(f"wrote metrics.json, predictions.csv and errors.png to {output_dir}")
    return summary


@hydra.main(version_base="1.3", config_path="conf", config_name="evaluate")
def main(cfg: DictConfig) -> float:
    """Hydra entry point; returns the accuracy. A missing or foreign checkpoint exits with one line."""
    try:
        return evaluate(cfg)["accuracy"]
    except (BadDataError, CheckpointError, FileNotFoundError) as error:
        raise SystemExit(f"error: {error}") from None


if __name__ == "__main__":
    main()
