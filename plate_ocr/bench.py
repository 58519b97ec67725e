"""Speed and memory of inference, decoding and training steps; writes a Markdown table to BENCHMARKS.md.

python -m plate_ocr.bench [--quick] [--out PATH]

Inference: crnn and crnn_small (random weights, built from conf/model) under PyTorch eager and ONNX
Runtime, each configuration in its own fresh process so that its peak RSS is its own. Training steps:
the project's data pipeline against the seed notebook's, re-implemented below as the baseline.
"""

from __future__ import annotations

import argparse
import platform
import resource
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from multiprocessing import get_context
from pathlib import Path

import cv2
import hydra
import numpy as np
import onnxruntime as ort
import torch
from torch.utils.data import DataLoader, Dataset

from plate_ocr.charset import Charset
from plate_ocr.data.crops import image_files, label_from_filename
from plate_ocr.decoding import greedy_decode
from plate_ocr.export import export_onnx, synthetic_crops
from plate_ocr.grammar import grammar_decode
from plate_ocr.loader_bench import train_config, train_datamodule

PROJECT_ROOT = Path(__file__).resolve().parents[1]
MODELS = ("crnn_small", "crnn")
BACKENDS = ("torch", "onnx")
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
    model = hydra.utils.instantiate(train_config(f"model={model_name}").model).eval()
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
            export_onnx(model, Path(folder) / "model.onnx")
            session = ort.InferenceSession(str(Path(folder) / "model.onnx"), options)

        def infer(images: np.ndarray) -> np.ndarray:
            return session.run(["logits"], {"images": images})[0]

    rng = np.random.default_rng(0)
    single = rng.standard_normal((1, 1, height, width), dtype=np.float32)
    latency = np.array(timings(lambda: infer(single), repeats=5 if quick else 200)) * 1e3
    result = {
        "threads": threads,
        "median": float(np.median(latency)),
        "p10": float(np.percentile(latency, 10)),
        "p90": float(np.percentile(latency, 90)),
    }
    for batch in (64, 256):
        images = rng.standard_normal((batch, 1, height, width), dtype=np.float32)
        seconds = timings(
            lambda images=images: infer(images), repeats=1 if quick else 5, warmup=int(not quick)
        )
        result[f"batch_{batch}"] = batch / statistics.median(seconds)
    result["rss_before"], result["rss_peak"] = rss_before, peak_rss_mb()
    return result


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


def measure_training(loader: DataLoader, steps: int) -> dict[str, float]:
    """Images/s of the loader alone, and of training steps (forward, CTC loss, backward, Adam) fed by it."""
    batches = cycle(loader)
    next(batches)
    seconds = timings(lambda: next(batches), repeats=steps, warmup=0)
    loader_rate = TRAIN_BATCH * steps / sum(seconds)

    torch.manual_seed(0)
    model = hydra.utils.instantiate(train_config(f"model={TRAIN_MODEL}").model).train()
    optimizer = torch.optim.Adam(model.parameters())

    def step() -> None:
        batch = next(batches)
        loss = model.loss(model(batch["images"]), batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    seconds = timings(step, repeats=steps, warmup=1)
    return {"loader": loader_rate, "train": TRAIN_BATCH * steps / sum(seconds)}


def training_rows(quick: bool) -> list[tuple[str, dict[str, float]]]:
    """Training throughput of the project's pipeline (two augment options) and of the notebook's."""
    steps = 2 if quick else 12
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        # The project holds out a tenth of train for validation: write enough for `steps` distinct batches.
        write_crops(Path(folder), TRAIN_BATCH * (steps + 2) * 10 // 9 + 1)
        for augment in ("seed", "light"):
            cfg = train_config(
                "data=ccpd_crops",
                f"data.root={folder}",
                f"augment={augment}",
                f"data.batch_size={TRAIN_BATCH}",
                "data.num_workers=0",
            )
            name = f"plate_ocr: PlateDataModule, data=ccpd_crops, augment={augment}"
            rows.append((name, measure_training(train_datamodule(cfg).train_dataloader(), steps)))
        notebook = NotebookCrops(Path(folder) / "train", Charset())
        loader = DataLoader(notebook, batch_size=TRAIN_BATCH, shuffle=True, collate_fn=notebook_collate)
        rows.append(
            ("seed notebook: cv2.imread + PIL transforms (baseline)", measure_training(loader, steps))
        )
    return rows


def machine() -> str:
    """The CPU model and core count."""
    cpuinfo = Path("/proc/cpuinfo")
    names = [
        line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if "model name" in line
    ]
    return f"{names[0] if names else platform.processor() or platform.machine()}, {len(names) or '?'} cores"


def report(inference: dict, decoding: dict, training: list, quick: bool) -> str:
    """The results as Markdown."""
    lines = [
        "# Benchmarks",
        "",
        f"`python -m plate_ocr.bench{' --quick' if quick else ''}` on {date.today()}: {machine()}, "
        f"torch {torch.__version__}, onnxruntime {ort.__version__}. Input 1x32x128, random weights "
        "(speed does not depend on them). Timings are wall clock on a machine that may be shared.",
        "",
        "## Inference",
        "",
        "Latency: batch 1, over repeated runs. Throughput: median of repeated batches. Threads: "
        "torch.get_num_threads() for PyTorch, the same number as ONNX Runtime's intra_op_num_threads. "
        "Peak RSS: resource.getrusage(RUSAGE_SELF).ru_maxrss after imports → after building, exporting "
        "(ONNX) and running the model, "
        + (
            "all rows in one process (--quick), so each includes the rows above it."
            if quick
            else "in a fresh process per row."
        ),
        "",
        "| model | backend | threads | batch 1 latency, ms: median (p10–p90) | batch 64, img/s "
        "| batch 256, img/s | peak RSS, MB |",
        "|---|---|---|---|---|---|---|",
    ]
    for (model, backend), r in inference.items():
        lines.append(
            f"| {model} | {'PyTorch eager' if backend == 'torch' else 'ONNX Runtime'} | {r['threads']} "
            f"| {r['median']:.2f} ({r['p10']:.2f}–{r['p90']:.2f}) | {r['batch_64']:.0f} "
            f"| {r['batch_256']:.0f} | {r['rss_before']:.0f} → {r['rss_peak']:.0f} |"
        )
    lines += [
        "",
        "## Decoding",
        "",
        "Per plate, batch 256, T = 16, random logits (the grammar decoder's worst case: it runs its dynamic "
        "programme only where the greedy reading is not a valid plate).",
        "",
        "| decoder | ms per plate |",
        "|---|---|",
        *(f"| {name} | {ms:.3f} |" for name, ms in decoding.items()),
        "",
        "## Training steps",
        "",
        f"{TRAIN_MODEL}, batch {TRAIN_BATCH}, the same synthetic JPEG crops on disk, num_workers=0 (on a "
        "small CPU, loader workers share the cores with the training step). Loader alone: batches/s x "
        "batch size; training: forward, CTC loss, backward and Adam step fed by that loader, "
        f"{torch.get_num_threads()} torch threads.",
        "",
        "| data pipeline | loader alone, img/s | training, img/s |",
        "|---|---|---|",
        *(f"| {name} | {r['loader']:.0f} | {r['train']:.0f} |" for name, r in training),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny repeat counts: seconds, for tests")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "BENCHMARKS.md")
    parser.add_argument(
        "--models", nargs="+", choices=MODELS, default=list(MODELS), help="conf/model options"
    )
    args = parser.parse_args(argv)
    inference = {}
    for model in args.models:
        for backend in BACKENDS:
            if args.quick:  # a fresh process costs seconds of imports
                inference[model, backend] = measure_inference(model, backend, quick=True)
                continue
            # A fresh process per configuration, so its peak RSS is not an earlier one's.
            with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
                inference[model, backend] = pool.submit(measure_inference, model, backend, False).result()
    table = report(inference, measure_decoding(args.quick), training_rows(args.quick), args.quick)
    args.out.write_text(table, encoding="utf-8")
    print(table)
    print(f"wrote {args.out}")
    return table


if __name__ == "__main__":
    main()
