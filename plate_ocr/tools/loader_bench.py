"""How fast the data side feeds training: one epoch of the train loader with the model swapped for a no-op."""

from __future__ import annotations

import time

from plate_ocr.configs import compose_config
from plate_ocr.plate_format import DEFAULT_ALPHABET
from plate_ocr.training.run import build_datamodule


def measure(overrides: list[str], max_batches: int | None = None) -> dict[str, float]:
    """Images/s of the train loader as configured, after its workers have started."""
    cfg = compose_config("train", overrides)
    datamodule = build_datamodule(cfg, tuple(cfg.model.image_size), DEFAULT_ALPHABET)
    datamodule.setup("fit")
    loader = datamodule.train_dataloader()
    batches = iter(loader)
    next(batches)  # worker start-up and font loading are not the steady state
    images, start = 0, time.perf_counter()
    for number, batch in enumerate(batches):
        images += len(batch["labels"])
        if max_batches and number + 1 >= max_batches:
            break
    seconds = time.perf_counter() - start
    return {"images": images, "seconds": seconds, "images_per_second": images / seconds}
