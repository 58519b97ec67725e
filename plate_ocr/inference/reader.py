"""Read plates from crops with a trained model, from Python or the command line.

python -m plate_ocr.inference.reader images=PATH_OR_GLOB [ckpt=PATH] [format=tsv|jsonl] [backend=torch|onnx]
                            [decoding=greedy|grammar] [tta=none|reframe] [batch_size=64]

`ckpt` is a checkpoint from train.py or an .onnx file from plate_ocr.inference.export (the backend follows the
suffix unless given); without it the bundled model is used. `images` is a crop, a folder of crops or a
glob. `tta=reframe` reads each crop in 18 framings and keeps the reading most agree on (plate_ocr.decoding.tta).
Prints `file<TAB>plate<TAB>confidence` per image, or JSON lines with those keys. An image that cannot be
read is named on stderr and skipped; the others are read, and the exit status is then 1.
"""

from __future__ import annotations

import glob
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch

from plate_ocr.charset import Charset
from plate_ocr.cli.key_values import one_line_errors, parse_key_values
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
            raise ValueError(
                f"{path} lacks metadata {missing}: export it with python -m plate_ocr.inference.export"
            )
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


USAGE = (
    "python -m plate_ocr.inference.reader images=PATH_OR_GLOB [ckpt=PATH] [format=tsv|jsonl] [backend=torch|onnx] "
    "[decoding=greedy|grammar] [tta=none|reframe] [batch_size=64]"
)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_key_values(
        sys.argv[1:] if argv is None else argv,
        {
            "ckpt": None,
            "images": None,
            "format": "tsv",
            "backend": None,
            "decoding": "greedy",
            "tta": "none",
            "batch_size": "64",
        },
        USAGE,
        __doc__,
    )
    if not args["images"]:
        sys.exit(f"error: pass images=PATH_OR_GLOB; usage: {USAGE}")
    if args["format"] not in ("tsv", "jsonl"):
        sys.exit(f"error: format={args['format']} is not tsv or jsonl")
    if args["tta"] not in ("none", "reframe"):
        sys.exit(f"error: tta={args['tta']} is not none or reframe")
    with one_line_errors(OSError, ValueError):  # a CheckpointError or ImageError is a ValueError
        unreadable, total = predict(args)
    if unreadable:
        sys.exit(f"error: {unreadable} of {total} images could not be read and were skipped (named above)")


def predict(args: dict[str, str | None]) -> tuple[int, int]:
    """Print the reading of every image `args` name; returns how many could not be read, and of how many.
    An unreadable image is named on stderr and skipped, so that one bad file does not stop the others."""
    from plate_ocr.checkpoints import BUNDLED_CHECKPOINT

    ckpt = args["ckpt"] or str(BUNDLED_CHECKPOINT)
    if not Path(ckpt).is_file():
        raise FileNotFoundError(
            f"model not found: {ckpt} (pass ckpt= a checkpoint from train.py or an .onnx from "
            "plate_ocr.inference.export)"
        )
    backend = args["backend"] or ("onnx" if ckpt.endswith(".onnx") else "torch")
    if backend not in ("torch", "onnx") or (backend == "onnx") != ckpt.endswith(".onnx"):
        raise ValueError(
            f"backend={backend} cannot read {ckpt}: torch reads checkpoints, onnx reads .onnx files"
        )
    files = find_images(args["images"])
    if not files:
        raise FileNotFoundError(f"no images ({', '.join(IMAGE_SUFFIXES)}) match images={args['images']}")

    load = PlateReader.from_onnx if backend == "onnx" else PlateReader.from_checkpoint
    tta = ReframingVote() if args["tta"] == "reframe" else None
    reader = load(ckpt, decoding=args["decoding"], batch_size=int(args["batch_size"]), tta=tta)
    unreadable = 0
    for start in range(0, len(files), reader.batch_size):
        paths, images = [], []
        for path in files[start : start + reader.batch_size]:
            try:
                images.append(read_image(path, gray=True))  # as the data sources read crop files
                paths.append(path)
            except (ImageError, OSError) as error:
                print(f"skipped: {error}", file=sys.stderr)
                unreadable += 1
        for path, decoded in zip(paths, reader.read(images)):
            if args["format"] == "tsv":
                print(f"{path}\t{decoded.text}\t{decoded.confidence:.4f}")
            else:
                row = {"file": str(path), "plate": decoded.text, "confidence": round(decoded.confidence, 4)}
                print(json.dumps(row, ensure_ascii=False))
    return unreadable, len(files)


if __name__ == "__main__":
    main()
