"""Which way a camera's crops differ from what a model was trained on: read them as they are and under
small image changes, and see which change the model reads better.

DIR is a folder of labelled crops named `<n>-<plate>.jpg` (the `data=folder` layout). Each probe changes
every crop the same way at the network's input (softer or crisper, thinner or bolder strokes, looser or
tighter framing, lighter or darker) and the table gives the plates read right, the province and the
serial. A probe that reads more than the crops as they are points at what the generator should draw more
of: if softened crops read better, the model was trained on softer plates than these.

Then it reads the crops' synthetic twins (plate_ocr.synth.probes.twins: a generator's plates with the same
strings, sizes and colours) and sets them beside the crops, per province: the difference is what the
generator does not yet draw, as far as this model is concerned.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch

from plate_ocr.checkpoints import load_recognizer
from plate_ocr.data.crops import image_files, label_from_filename, read_image
from plate_ocr.decoding.greedy import greedy_decode
from plate_ocr.preprocess import normalize, to_model_size
from plate_ocr.synth.probes.twins import twin_crops
from plate_ocr.synth.renderer import PlateRenderer
from plate_ocr.system import PlateRecognizer

TWIN_ROUNDS = 3  # twins drawn per crop: one draw moves the count by a few plates

Probe = Callable[[np.ndarray, tuple[int, int]], np.ndarray]


def _twice(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The crop at twice the network's input size, where strokes and framing change in fine steps."""
    return to_model_size(image, (2 * size[0], 2 * size[1]))


def strokes(bolder: bool) -> Probe:
    """Letters half an input pixel bolder or thinner on each side, dark or light lettering alike."""
    kernel = np.ones((2, 2), np.uint8)

    def probe(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        light_letters = np.median(image) < 128  # blue plates: light letters on a darker plate
        grow_light = bolder == light_letters
        large = _twice(image, size)
        return to_model_size(cv2.dilate(large, kernel) if grow_light else cv2.erode(large, kernel), size)

    return probe


def framing(scale_x: float, scale_y: float) -> Probe:
    """The crop's content scaled about its centre: below 1 a looser box (edges repeated), above 1 a tighter
    one (edges cut)."""

    def probe(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        large = _twice(image, size)
        height, width = large.shape
        matrix = np.float32(
            [[scale_x, 0, (1 - scale_x) * width / 2], [0, scale_y, (1 - scale_y) * height / 2]]
        )
        moved = cv2.warpAffine(large, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)
        return to_model_size(moved, size)

    return probe


def softened(sigma: float) -> Probe:
    """A Gaussian blur of `sigma` input pixels."""
    return lambda image, size: cv2.GaussianBlur(to_model_size(image, size), (0, 0), sigma)


def sharpened(amount: float) -> Probe:
    """An unsharp mask (radius one input pixel), as cameras sharpen."""

    def probe(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        grey = to_model_size(image, size).astype(np.float32)
        return np.clip(grey + amount * (grey - cv2.GaussianBlur(grey, (0, 0), 1.0)), 0, 255).astype(np.uint8)

    return probe


def gamma(power: float) -> Probe:
    """Mid-tones darker (power above 1) or lighter (below 1)."""
    table = (np.linspace(0, 1, 256) ** power * 255).round().astype(np.uint8)
    return lambda image, size: cv2.LUT(to_model_size(image, size), table)


def contrast(factor: float) -> Probe:
    """Grey levels spread from (above 1) or drawn towards (below 1) the crop's mean."""

    def probe(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        grey = to_model_size(image, size).astype(np.float32)
        return np.clip((grey - grey.mean()) * factor + grey.mean(), 0, 255).astype(np.uint8)

    return probe


def lower_resolution(factor: float) -> Probe:
    """Shrunk by `factor` and enlarged again: a lower-resolution camera."""

    def probe(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        height, width = size
        small = cv2.resize(
            image, (round(width / factor), round(height / factor)), interpolation=cv2.INTER_AREA
        )
        return cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)

    return probe


PROBES: dict[str, Probe] = {
    "as they are": to_model_size,
    "softer (blur 0.7 px)": softened(0.7),
    "crisper (sharpen 1.0)": sharpened(1.0),
    "thinner strokes": strokes(bolder=False),
    "bolder strokes": strokes(bolder=True),
    "looser box (90%)": framing(0.9, 0.9),
    "tighter box (110%)": framing(1.1, 1.1),
    "narrower (90% wide)": framing(0.9, 1.0),
    "wider (110% wide)": framing(1.1, 1.0),
    "darker (gamma 1.4)": gamma(1.4),
    "lighter (gamma 0.7)": gamma(0.7),
    "less contrast (0.7)": contrast(0.7),
    "more contrast (1.4)": contrast(1.4),
    "lower resolution (1.5x)": lower_resolution(1.5),
}


@dataclass(frozen=True)
class ProbeResult:
    """How many of `crops` a probe's readings got right: whole plates, provinces and serials."""

    name: str
    crops: int
    plates: int
    provinces: int
    serials: int


def read_under(
    model: PlateRecognizer, images: Sequence[np.ndarray], probe: Probe, batch_size: int = 256
) -> list[str]:
    """Greedy readings of grey crops changed by `probe` at the model's input size."""
    texts: list[str] = []
    for start in range(0, len(images), batch_size):
        changed = [probe(image, model.image_size) for image in images[start : start + batch_size]]
        batch = normalize(torch.from_numpy(np.stack(changed))).unsqueeze(1)
        with torch.inference_mode():
            texts += [decoded.text for decoded in greedy_decode(model(batch), model.charset)]
    return texts


def count_right(name: str, texts: Sequence[str], labels: Sequence[str]) -> ProbeResult:
    """The plates, provinces and serials of `labels` that `texts` read right."""
    pairs = list(zip(texts, labels))
    return ProbeResult(
        name,
        len(pairs),
        sum(text == label for text, label in pairs),
        sum(text[:1] == label[:1] for text, label in pairs),
        sum(text[1:] == label[1:] for text, label in pairs),
    )


def probe_crops(
    model: PlateRecognizer, images: Sequence[np.ndarray], labels: Sequence[str], batch_size: int = 256
) -> list[ProbeResult]:
    """Every probe's counts on the labelled grey crops, in the order of PROBES."""
    return [
        count_right(name, read_under(model, images, probe, batch_size), labels)
        for name, probe in PROBES.items()
    ]


def probe_table(results: Sequence[ProbeResult]) -> str:
    """The probes as a table, the crops as they are first, then the others by plates read."""
    baseline, *others = results
    rows = [f"{'probe':26s} {'plates':>13s} {'change':>7s} {'province':>9s} {'serial':>7s}"]
    for result in [baseline, *sorted(others, key=lambda r: -r.plates)]:
        share = result.plates / result.crops
        rows.append(
            f"{result.name:26s} {share:6.3f} ({result.plates:4d}) {result.plates - baseline.plates:+7d}"
            f" {result.provinces / result.crops:9.3f} {result.serials / result.crops:7.3f}"
        )
    return "\n".join(rows)


def twins_table(
    labels: Sequence[str], real_texts: Sequence[str], twin_texts: Sequence[str], min_crops: int = 5
) -> str:
    """Shares read right of the crops and of their twins (`twin_texts` holds whole rounds of twins in the
    crops' order): all crops, their provinces and serials, then each province with `min_crops` or more."""
    rounds = len(twin_texts) // len(labels)
    indices_of = {"all": list(range(len(labels)))}
    for index, label in enumerate(labels):
        indices_of.setdefault(label[:1], []).append(index)
    rows = [f"{'':10s} {'crops':>5s} {'real':>6s} {'twins':>6s} {'gap':>6s}"]
    for name, indices in sorted(indices_of.items(), key=lambda group: (group[0] != "all", -len(group[1]))):
        if name != "all" and len(indices) < min_crops:
            continue
        twin_indices = [i + r * len(labels) for r in range(rounds) for i in indices]
        real = count_right(name, [real_texts[i] for i in indices], [labels[i] for i in indices])
        twins = count_right(
            name, [twin_texts[i] for i in twin_indices], [labels[i % len(labels)] for i in twin_indices]
        )
        shares = [(name, real.plates / real.crops, twins.plates / twins.crops)]
        if name == "all":
            shares.append(("  province", real.provinces / real.crops, twins.provinces / twins.crops))
            shares.append(("  serial", real.serials / real.crops, twins.serials / twins.crops))
        for row_name, real_share, twin_share in shares:
            gap = twin_share - real_share
            rows.append(f"{row_name:10s} {len(indices):5d} {real_share:6.3f} {twin_share:6.3f} {gap:+6.3f}")
    return "\n".join(rows)


def probe_folder(
    folder: str | Path,
    checkpoint: str | Path | None = None,
    batch_size: int = 256,
    renderer: PlateRenderer | None = None,
) -> str:
    """The probe table of the labelled crops in `folder` as `checkpoint` (the bundled model when None)
    reads them, then, given a `renderer`, the table of the crops beside TWIN_ROUNDS twins each."""
    files = image_files(folder)
    model = load_recognizer(checkpoint)
    images = [read_image(path, gray=True) for path in files]
    labels = [label_from_filename(path) for path in files]
    results = probe_crops(model, images, labels, batch_size)
    reader = checkpoint or "the bundled model"
    report = [f"{len(files)} crops of {Path(folder)}, read once (greedy) by {reader}", probe_table(results)]
    if renderer is not None:
        colour_images = [read_image(path) for path in files]
        twins = [
            twin for r in range(TWIN_ROUNDS) for twin in twin_crops(renderer, labels, colour_images, seed=r)
        ]
        plain = PROBES["as they are"]
        what = f"same strings, sizes and colours; hanzi in {','.join(renderer.chinese_faces)}"
        report.append(f"\nthe crops beside {TWIN_ROUNDS} synthetic twins each ({what}):")
        report.append(twins_table(labels, read_under(model, images, plain), read_under(model, twins, plain)))
    return "\n".join(report)
