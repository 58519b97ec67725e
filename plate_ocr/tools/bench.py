"""Speed and memory of inference, decoding and training steps (plate_ocr.tools.bench_report writes them up).

Inference: crnn_small, crnn_wide and crnn (random weights, built from conf/model) under PyTorch eager and ONNX
Runtime, each configuration in its own fresh process so that its peak RSS is its own. Training steps:
the project's data pipeline against the seed notebook's, re-implemented below as the baseline.
"""

from __future__ import annotations

import resource
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import cv2
import hydra
import numpy as np
import onnxruntime as ort
import torch
from torch.utils.data import DataLoader, Dataset

from plate_ocr.charset import Charset
from plate_ocr.configs import compose_config
from plate_ocr.data.crops import image_files, label_from_filename
from plate_ocr.decoding.grammar import grammar_decode
from plate_ocr.decoding.greedy import greedy_decode
from plate_ocr.inference.export import export_onnx, synthetic_crops
from plate_ocr.plate_format import DEFAULT_ALPHABET
from plate_ocr.training.run import build_datamodule

MODELS = ("crnn_small", "crnn_wide", "crnn")
BACKENDS = ("torch", "onnx", "onnx-int8")
BACKEND_NAMES = {"torch": "PyTorch eager", "onnx": "ONNX Runtime", "onnx-int8": "ONNX Runtime, int8"}
TRAIN_MODEL, TRAIN_BATCH = "crnn_small", 64


def peak_rss_mb() -> float:
    """This process's peak resident set size so far (getrusage; Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timings(run: Callable[[], object], repeats: int, warmup: int = 2) -> list[float]:
    """Seconds per call of `run` after `warmup` calls."""
    for _ in range(warmup):
        run()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - start)
    return seconds


def measure_inference(model_name: str, backend: str, quick: bool) -> dict:
    """Latency at batch 1 and throughput at batch 64 and 256 of one model on one backend."""
    rss_before = peak_rss_mb()
    model = hydra.utils.instantiate(compose_config("train", [f"model={model_name}"]).model).eval()
    height, width = model.image_size
    threads = torch.get_num_threads()
    if backend == "torch":

        def infer(images: np.ndarray) -> np.ndarray:
            with torch.inference_mode():
                return model.net(torch.from_numpy(images)).numpy()

    else:
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        with tempfile.TemporaryDirectory() as folder:
            export_onnx(model, Path(folder) / "model.onnx", "int8" if backend == "onnx-int8" else "fp32")
            session = ort.InferenceSession(str(Path(folder) / "model.onnx"), options)

        def infer(images: np.ndarray) -> np.ndarray:
            return session.run(["logits"], {"images": images})[0]

    rng = np.random.default_rng(0)
    single = rng.standard_normal((1, 1, height, width), dtype=np.float32)
    latency = np.array(timings(lambda: infer(single), repeats=5 if quick else 200)) * 1e3
    result: dict = {"threads": threads, "latency_ms": latency.tolist()}
    for batch in (64, 256):
        images = rng.standard_normal((batch, 1, height, width), dtype=np.float32)
        seconds = timings(
            lambda images=images: infer(images), repeats=1 if quick else 10, warmup=int(not quick)
        )
        result[f"batch_{batch}"] = batch / statistics.median(seconds)
    result["rss_before"], result["rss_peak"] = rss_before, peak_rss_mb()
    return result


def combine_rounds(rounds: list[dict]) -> dict:
    """One row from the rounds of a configuration: latency percentiles over all rounds' runs, throughput as
    the median round with the slowest and fastest, peak RSS the highest."""
    latency = np.concatenate([r["latency_ms"] for r in rounds]) if "latency_ms" in rounds[0] else None
    combined: dict = {"rss_before": min(r["rss_before"] for r in rounds)}
    combined["rss_peak"] = max(r["rss_peak"] for r in rounds)
    if "threads" in rounds[0]:
        combined["threads"] = rounds[0]["threads"]
    for key in ("batch_64", "batch_256", "loader", "train"):
        if key in rounds[0]:
            values = [r[key] for r in rounds]
            combined[key] = statistics.median(values)
            combined[f"{key}_range"] = (min(values), max(values))
    if latency is not None:
        combined |= {f"p{q}": float(np.percentile(latency, q)) for q in (10, 50, 90)}
    return combined


def measure_decoding(quick: bool, batch: int = 256, steps: int = 16) -> dict[str, float]:
    """Milliseconds per plate of each decoder on random logits: the grammar decoder's worst case, since
    nearly every greedy reading of random logits is an invalid plate."""
    charset = Charset()
    logits = torch.randn(batch, steps, charset.num_classes, generator=torch.Generator().manual_seed(0)) * 3
    return {
        name: statistics.median(timings(lambda d=decode: d(logits, charset), repeats=2 if quick else 10))
        * 1e3
        / batch
        for name, decode in (("greedy", greedy_decode), ("grammar", grammar_decode))
    }


class NotebookCrops(Dataset):
    """The seed notebook's training data pipeline, as the baseline: per item cv2.imread, resize to
    128x32, grayscale, then PIL-based torchvision transforms."""

    def __init__(self, folder: Path, charset: Charset) -> None:
        from torchvision import transforms

        self.files = image_files(folder)
        self.charset = charset
        self.transform = transforms.Compose(
            [
                transforms.RandomPerspective(),
                transforms.RandomRotation(10),
                transforms.ToTensor(),
                transforms.Normalize(0.5, 0.5),
            ]
        )

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        from PIL import Image

        image = cv2.imread(str(self.files[index]))
        image = cv2.cvtColor(cv2.resize(image, (128, 32)), cv2.COLOR_BGR2GRAY)
        target = self.charset.encode(label_from_filename(self.files[index]))
        return self.transform(Image.fromarray(image)), torch.tensor(target)


def notebook_collate(items: list[tuple[torch.Tensor, torch.Tensor]]) -> dict:
    """Batches in the form the project's training step takes."""
    return {
        "images": torch.stack([image for image, _ in items]),
        "targets": torch.cat([target for _, target in items]),
        "target_lengths": torch.tensor([len(target) for _, target in items]),
    }


def write_crops(folder: Path, count: int) -> None:
    """`count` synthetic crops as CCPD2019-dl1 JPEGs (`<n>-<plate>.jpg`) under folder/train, and the
    first few of them again under folder/test, which the layout requires."""
    for split in ("train", "test"):
        (folder / split).mkdir(parents=True)
    for number, (image, label) in enumerate(zip(*synthetic_crops(count, seed=1))):
        _, data = cv2.imencode(".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
        for split in ("train", "test") if number < 8 else ("train",):
            data.tofile(str(folder / split / f"{number:05d}-{label}.jpg"))


def cycle(loader: DataLoader) -> Iterator[dict]:
    while True:
        yield from loader


def measure_training(loader: DataLoader, loader_steps: int, train_steps: int) -> dict[str, float]:
    """Images/s of the loader alone, and of training steps (forward, CTC loss, backward, Adam) fed by it."""
    batches = cycle(loader)
    next(batches)
    # medians: on a shared machine, a stall now and then should not decide the figure
    seconds = timings(lambda: next(batches), repeats=loader_steps, warmup=0)
    loader_rate = TRAIN_BATCH / statistics.median(seconds)

    torch.manual_seed(0)
    model = hydra.utils.instantiate(compose_config("train", [f"model={TRAIN_MODEL}"]).model).train()
    optimizer = torch.optim.Adam(model.parameters())

    def step() -> None:
        batch = next(batches)
        loss = model.loss(model(batch["images"]), batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    seconds = timings(step, repeats=train_steps, warmup=1)
    return {"loader": loader_rate, "train": TRAIN_BATCH / statistics.median(seconds)}


# Training data pipelines compared: the project's with two augment options, and the notebook's.
PIPELINES = {
    "seed": "plate_ocr: PlateDataModule, data=ccpd_crops, augment=seed (the notebook's augmentation)",
    "light": "plate_ocr: PlateDataModule, data=ccpd_crops, augment=light",
    "notebook": "seed notebook: cv2.imread + PIL transforms (baseline)",
}


def pipeline_loader(pipeline: str, folder: Path) -> DataLoader:
    """The train loader of one of PIPELINES over the crops in `folder`, in the main process."""
    if pipeline == "notebook":
        crops = NotebookCrops(folder / "train", Charset())
        return DataLoader(crops, batch_size=TRAIN_BATCH, shuffle=True, collate_fn=notebook_collate)
    overrides = ["data=ccpd_crops", f"data.root={folder}", f"augment={pipeline}"]
    cfg = compose_config("train", [*overrides, f"data.batch_size={TRAIN_BATCH}", "data.num_workers=0"])
    datamodule = build_datamodule(cfg, tuple(cfg.model.image_size), DEFAULT_ALPHABET)
    datamodule.setup("fit")
    return datamodule.train_dataloader()


def measure_pipeline(pipeline: str, folder: Path, quick: bool) -> dict[str, float]:
    """Loader and training throughput of one pipeline, with this process's peak RSS before and after."""
    rss_before = peak_rss_mb()
    result = measure_training(
        pipeline_loader(pipeline, folder), loader_steps=2 if quick else 40, train_steps=2 if quick else 12
    )
    return {**result, "rss_before": rss_before, "rss_peak": peak_rss_mb()}


def training_rows(quick: bool, rounds: int) -> dict[str, dict]:
    """Training throughput of each of PIPELINES on the same synthetic JPEG crops, over `rounds` rounds."""
    with tempfile.TemporaryDirectory() as folder:
        # The project holds out a tenth of train for validation: enough crops for 40 distinct batches.
        write_crops(Path(folder), TRAIN_BATCH * (4 if quick else 42) * 10 // 9 + 1)
        arguments = [(pipeline, Path(folder), quick) for pipeline in PIPELINES]
        return dict(zip(PIPELINES, in_rounds(measure_pipeline, arguments, quick, rounds)))


def in_rounds(function: Callable[..., dict], arguments: list[tuple], quick: bool, rounds: int) -> list[dict]:
    """`function` on each argument tuple, all of them once per round (so that a slow spell of a shared
    machine falls on every configuration alike), combined over the rounds by combine_rounds."""
    results: list[list[dict]] = [[] for _ in arguments]
    for _ in range(rounds):
        for runs, args in zip(results, arguments):
            runs.append(run_isolated(function, quick, *args))
    return [combine_rounds(runs) for runs in results]


def run_isolated(function: Callable[..., dict], quick: bool, *args: object) -> dict:
    """`function(*args)` in a fresh process, so that its peak RSS is its own; in this one when `quick`
    (a fresh process costs seconds of imports)."""
    if quick:
        return function(*args)
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, *args).result()
