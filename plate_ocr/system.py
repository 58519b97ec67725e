"""The LightningModule: CTC loss, greedy decoding, metrics, logging and optimisers around a plain network."""

from __future__ import annotations

import logging
import warnings
from typing import Any

import hydra
import pytorch_lightning as pl
import torch
from omegaconf import DictConfig, OmegaConf
from rapidfuzz.distance import Levenshtein
from torch import nn
from torchmetrics import MaxMetric

from plate_ocr.charset import Charset
from plate_ocr.decoding.greedy import Decoded, greedy_decode
from plate_ocr.decoding.registry import Decoder
from plate_ocr.decoding.rows import pick_readings
from plate_ocr.decoding.tta import ReframingVote
from plate_ocr.evaluation.visualize import ErrorExample, WorstErrors
from plate_ocr.metrics import PlateAccuracy, PlateCER
from plate_ocr.plate_format import DEFAULT_ALPHABET

# Lightning says on every run what no user of this package can act on: a tip to install its cloud logger
# (when a Trainer is built) and, under torch >= 2.10, that its own pytree helper builds a deprecated LeafSpec.
logging.getLogger("pytorch_lightning.utilities.rank_zero").addFilter(
    lambda record: not record.getMessage().startswith("💡 Tip:")
)
warnings.filterwarnings("ignore", r"`isinstance\(treespec, LeafSpec\)` is deprecated", FutureWarning)


def plain(config: Any) -> Any:
    """A Hydra config node as plain Python containers, so checkpoints hold no pickled objects."""
    return OmegaConf.to_container(config, resolve=True) if isinstance(config, DictConfig) else config


class PlateRecognizer(pl.LightningModule):
    """A CTC plate reader. Its hyperparameters carry everything evaluation needs to rebuild it:
    the alphabet, the input image size and the network config."""

    def __init__(
        self,
        net: dict,
        optimizer: dict,
        image_size: tuple[int, int],
        alphabet: str = DEFAULT_ALPHABET,
        scheduler: dict | None = None,
        error_examples: int = 32,
        max_nonfinite_steps: int = 20,
    ) -> None:
        super().__init__()
        self.save_hyperparameters(
            {
                "net": plain(net),
                "optimizer": plain(optimizer),
                "image_size": list(image_size),
                "alphabet": alphabet,
                "scheduler": plain(scheduler),
                "error_examples": error_examples,
                "max_nonfinite_steps": max_nonfinite_steps,
            }
        )
        self.charset = Charset(alphabet)
        self.net: nn.Module = hydra.utils.instantiate(self.hparams.net, num_classes=self.charset.num_classes)
        self.ctc_loss = nn.CTCLoss(blank=0, zero_infinity=True)
        self.train_acc, self.val_acc, self.test_acc = PlateAccuracy(), PlateAccuracy(), PlateAccuracy()
        self.train_cer, self.val_cer, self.test_cer = PlateCER(), PlateCER(), PlateCER()
        self.val_acc_best = MaxMetric()
        self.worst_errors = WorstErrors(error_examples)
        self.nonfinite_steps = 0
        # Training and validation decode greedily; evaluation may swap in the grammar decoder.
        self.decoder: Decoder = greedy_decode
        # Evaluation may also read each crop in several framings and vote (plate_ocr.decoding.tta).
        self.tta: ReframingVote | None = None

    @property
    def image_size(self) -> tuple[int, int]:
        """(height, width) of the network input."""
        height, width = self.hparams.image_size
        return height, width

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """(batch, 1, height, width) normalised images to (batch, time, classes) logits."""
        return self.net(images)

    def loss(self, logits: torch.Tensor, batch: dict) -> torch.Tensor:
        """CTC loss with every sample's own target length; all time steps are valid input."""
        log_probs = logits.float().log_softmax(-1).transpose(0, 1)
        time_steps, batch_size = log_probs.shape[:2]
        if time_steps < 2 * int(batch["target_lengths"].max()) - 1:
            raise ValueError(
                f"{time_steps} time steps cannot align every plate of {batch['target_lengths'].max()}"
            )
        input_lengths = torch.full((batch_size,), time_steps, dtype=torch.long, device=log_probs.device)
        return self.ctc_loss(log_probs, batch["targets"], input_lengths, batch["target_lengths"])

    def decode(self, logits: torch.Tensor) -> list[Decoded]:
        """CTC decoding of a batch of logits with `self.decoder`."""
        return self.decoder(logits, self.charset)

    def _shared_step(self, batch: dict, stage: str) -> tuple[torch.Tensor, list[str]]:
        logits = self(batch["images"])
        loss = self.loss(logits, batch)
        predictions = [decoded.text for decoded in self.decode(logits)]
        accuracy, cer = getattr(self, f"{stage}_acc"), getattr(self, f"{stage}_cer")
        accuracy(predictions, batch["labels"])
        cer(predictions, batch["labels"])
        batch_size = len(batch["labels"])
        on_step = stage == "train"
        self.log(
            f"{stage}/loss",
            loss,
            on_step=on_step,
            on_epoch=True,
            prog_bar=True,
            batch_size=batch_size,
            sync_dist=not on_step,
        )
        self.log(f"{stage}/acc", accuracy, on_step=False, on_epoch=True, prog_bar=True, batch_size=batch_size)
        self.log(f"{stage}/cer", cer, on_step=False, on_epoch=True, batch_size=batch_size)
        return loss, predictions

    def training_step(self, batch: dict, batch_idx: int) -> torch.Tensor | None:
        loss, _ = self._shared_step(batch, "train")
        if torch.isfinite(loss):
            return loss
        # Skipping the step keeps one bad batch from poisoning the weights; many mean a real problem.
        self.nonfinite_steps += 1
        self.log("train/nonfinite_steps", float(self.nonfinite_steps), on_step=True, on_epoch=False)
        if self.nonfinite_steps > self.hparams.max_nonfinite_steps:
            raise RuntimeError(
                f"the loss was not finite in {self.nonfinite_steps} steps (up to step {self.global_step}); "
                "lower model.optimizer.lr, set trainer.gradient_clip_val, or use trainer.precision=32-true"
            )
        return None

    def on_train_start(self) -> None:
        # The sanity check's validation batches must not count towards the best accuracy.
        self.val_acc_best.reset()

    def on_validation_epoch_start(self) -> None:
        self.worst_errors.reset()

    def validation_step(self, batch: dict, batch_idx: int) -> None:
        _, predictions = self._shared_step(batch, "val")
        for image, label, prediction in zip(batch["images"], batch["labels"], predictions):
            if prediction != label:
                distance = Levenshtein.distance(prediction, label)
                self.worst_errors.add(ErrorExample(image.detach().cpu(), label, prediction, distance))

    def on_validation_epoch_end(self) -> None:
        self.val_acc_best(self.val_acc.compute())
        self.log("val/acc_best", self.val_acc_best.compute(), sync_dist=True, prog_bar=True)
        experiment = getattr(self.logger, "experiment", None)
        if experiment is not None and hasattr(experiment, "add_image") and len(self.worst_errors):
            experiment.add_image(
                "val/worst_errors", self.worst_errors.grid(), self.current_epoch, dataformats="HWC"
            )

    def test_step(self, batch: dict, batch_idx: int) -> None:
        self._shared_step(batch, "test")

    def predict_step(self, batch: dict, batch_idx: int) -> list[dict]:
        """One row per image: its path, label and subset (as given), prediction and confidence."""
        decoded = self.read(batch["images"])
        if batch.get("one_row_images") is not None:
            one_row_readings = self.read(batch["one_row_images"])
            decoded = pick_readings(decoded, one_row_readings, batch["one_row_indices"])
        return [
            {"path": path, "label": label, "subset": subset, "prediction": d.text, "confidence": d.confidence}
            for path, label, subset, d in zip(batch["paths"], batch["labels"], batch["subsets"], decoded)
        ]

    def read(self, images: torch.Tensor) -> list[Decoded]:
        """Decoded readings of a normalised (N, 1, H, W) batch: plainly, or in several framings with `tta`."""
        if self.tta is None:
            return self.decode(self(images))
        return self.tta.read(images, lambda view: self.decode(self(view)))

    def configure_optimizers(self) -> Any:
        optimizer = hydra.utils.instantiate(self.hparams.optimizer)(params=self.parameters())
        if not self.hparams.scheduler:
            return optimizer
        scheduler = hydra.utils.instantiate(self.hparams.scheduler)(optimizer=optimizer)
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "epoch"}}
