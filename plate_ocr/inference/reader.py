"""Read plates from crops with a trained model: a checkpoint from train.py (PyTorch) or an .onnx file from
`plate-ocr export` (ONNX Runtime). The `plate-ocr predict` command is plate_ocr.cli.predict."""

from __future__ import annotations

import glob
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import torch

from plate_ocr.charset import Charset
from plate_ocr.data.crops import IMAGE_SUFFIXES, ImageError, image_files, read_image
from plate_ocr.decoding.greedy import Decoded
from plate_ocr.decoding.registry import decoder
from plate_ocr.decoding.rows import may_be_double_row, one_row, pick_readings
from plate_ocr.decoding.tta import ReframingVote
from plate_ocr.preprocess import PIXEL_MEAN, PIXEL_STD, preprocess_batch

Image = np.ndarray | str | Path


class PlateReader:
    """A loaded model that reads batches of crops: numpy RGB (or grayscale) uint8 arrays or image paths.

    `run` maps a (N, 1, H, W) float batch, preprocessed by plate_ocr.preprocess, to (N, T, C) logits.
    With `tta`, each crop is read in several framings and the readings vote.
    """

    def __init__(
        self,
        run: Callable[[torch.Tensor], torch.Tensor],
        charset: Charset,
        image_size: tuple[int, int],
        decoding: str = "greedy",
        batch_size: int = 64,
        tta: ReframingVote | None = None,
    ) -> None:
        self.run = run
        self.charset = charset
        self.image_size = image_size
        self.decode = decoder(decoding)
        self.batch_size = batch_size
        self.tta = tta

    @classmethod
    def from_checkpoint(
        cls,
        path: str | Path,
        decoding: str = "greedy",
        batch_size: int = 64,
        tta: ReframingVote | None = None,
    ) -> PlateReader:
        """A PyTorch reader rebuilt from a train.py checkpoint alone."""
        from plate_ocr.checkpoints import load_recognizer  # Lightning is only needed for checkpoints

        model = load_recognizer(path)
        net = model.net.eval()

        def run(images: torch.Tensor) -> torch.Tensor:
            with torch.inference_mode():
                return net(images)

        return cls(run, model.charset, model.image_size, decoding, batch_size, tta)

    @classmethod
    def from_onnx(
        cls,
        path: str | Path,
        decoding: str = "greedy",
        batch_size: int = 64,
        threads: int | None = None,
        tta: ReframingVote | None = None,
    ) -> PlateReader:
        """An ONNX Runtime reader; alphabet and image size come from the file's metadata."""
        import onnxruntime as ort

        if not Path(path).is_file():
            raise FileNotFoundError(f"ONNX model not found: {path}")
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        try:
            session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as error:  # onnxruntime raises its own types (InvalidProtobuf, Fail, ...)
            raise ValueError(
                f"cannot load ONNX model {path}: truncated, corrupt or not an ONNX file "
                f"({type(error).__name__})"
            ) from error
        metadata = session.get_modelmeta().custom_metadata_map
        missing = [
            key for key in ("alphabet", "image_size", "pixel_mean", "pixel_std") if key not in metadata
        ]
        if missing:
            raise ValueError(f"{path} lacks metadata {missing}: export it with `plate-ocr export`")
        pixels = (json.loads(metadata["pixel_mean"]), json.loads(metadata["pixel_std"]))
        if pixels != (PIXEL_MEAN, PIXEL_STD):
            raise ValueError(
                f"{path} expects pixel mean/std {pixels}, plate_ocr.preprocess uses {(PIXEL_MEAN, PIXEL_STD)}"
            )

        def run(images: torch.Tensor) -> torch.Tensor:
            return torch.from_numpy(session.run(["logits"], {"images": images.numpy()})[0])

        height, width = json.loads(metadata["image_size"])
        plate_lengths = json.loads(metadata.get("plate_lengths", "[7, 8]"))
        charset = Charset(json.loads(metadata["alphabet"]), plate_lengths)
        return cls(run, charset, (height, width), decoding, batch_size, tta)

    @staticmethod
    def arrays(images: Sequence[Image]) -> list[np.ndarray]:
        """The images as uint8 arrays, files read as the data sources read crop files (grayscale)."""
        arrays = []
        for image in images:
            if not isinstance(image, np.ndarray):
                image = read_image(image, gray=True)
            elif image.dtype != np.uint8:
                raise ValueError(f"images must be uint8 RGB or grayscale arrays, got {image.dtype}")
            arrays.append(image)
        return arrays

    def inputs(self, images: Sequence[Image]) -> torch.Tensor:
        """The network's (N, 1, H, W) input for a list of images or paths."""
        return preprocess_batch(self.arrays(images), self.image_size)

    def logits(self, images: Sequence[Image]) -> torch.Tensor:
        """(N, T, C) logits of the images, computed `batch_size` at a time."""
        batches = [
            self.run(self.inputs(images[start : start + self.batch_size]))
            for start in range(0, len(images), self.batch_size)
        ]
        return torch.cat(batches) if batches else torch.empty(0)

    def read(self, images: Sequence[Image]) -> list[Decoded]:
        """The plate and confidence of each image; crops squat enough to be double-row plates are also read
        laid out as one row, and the more confident reading is kept (plate_ocr.decoding.rows)."""
        readings = []
        for start in range(0, len(images), self.batch_size):
            arrays = self.arrays(images[start : start + self.batch_size])
            batch = self.read_inputs(preprocess_batch(arrays, self.image_size))
            squat = [index for index, array in enumerate(arrays) if may_be_double_row(array)]
            if squat:
                one_rows = preprocess_batch([one_row(arrays[index]) for index in squat], self.image_size)
                batch = pick_readings(batch, self.read_inputs(one_rows), squat)
            readings += batch
        return readings

    def read_inputs(self, inputs: torch.Tensor) -> list[Decoded]:
        """The plate and confidence of each image of a preprocessed (N, 1, H, W) batch."""
        if self.tta is None:
            return self.decode(self.run(inputs), self.charset)
        return self.tta.read(inputs, lambda view: self.decode(self.run(view), self.charset))


def find_images(pattern: str) -> list[Path]:
    """A crop, the crops of a folder, or the crops matching a glob, sorted."""
    path = Path(pattern).expanduser()
    if path.is_file():
        return [path]
    if path.is_dir():
        return image_files(path)
    matches = sorted(Path(p) for p in glob.glob(str(path), recursive=True))
    return [p for p in matches if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES]


def open_reader(
    model: str | Path | None = None, backend: str | None = None, **options: object
) -> PlateReader:
    """A reader of `model`, a train.py checkpoint (backend `torch`) or an .onnx file (`onnx`; the backend
    follows the suffix unless given), the bundled model when None; `options` go to the loader."""
    from plate_ocr.checkpoints import BUNDLED_CHECKPOINT

    path = str(model or BUNDLED_CHECKPOINT)
    if not Path(path).is_file():
        raise FileNotFoundError(
            f"model not found: {path} (give a checkpoint from train.py or an .onnx from `plate-ocr export`)"
        )
    backend = backend or ("onnx" if path.endswith(".onnx") else "torch")
    if backend not in ("torch", "onnx") or (backend == "onnx") != path.endswith(".onnx"):
        raise ValueError(
            f"backend {backend} cannot read {path}: torch reads checkpoints, onnx reads .onnx files"
        )
    load = PlateReader.from_onnx if backend == "onnx" else PlateReader.from_checkpoint
    return load(path, **options)


def read_files(
    reader: PlateReader, files: Sequence[Path], skip: Callable[[Exception], None]
) -> Iterator[tuple[Path, Decoded]]:
    """Each file with its reading, `reader.batch_size` files at a time. A file that cannot be decoded is
    handed to `skip` (its error names it) and left out, so that one bad file does not stop the others."""
    for start in range(0, len(files), reader.batch_size):
        paths, images = [], []
        for path in files[start : start + reader.batch_size]:
            try:
                images.append(read_image(path, gray=True))  # as the data sources read crop files
                paths.append(path)
            except (ImageError, OSError) as error:
                skip(error)
        yield from zip(paths, reader.read(images))
