"""Speed and memory of inference, decoding and training steps; writes a Markdown table to BENCHMARKS.md.

python -m plate_ocr.tools.bench [--quick] [--out PATH]     # a full run writes BENCHMARKS.md; --quick only prints

Inference: crnn_small, crnn_wide and crnn (random weights, built from conf/model) under PyTorch eager and ONNX
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
from plate_ocr.decoding.grammar import grammar_decode
from plate_ocr.decoding.greedy import greedy_decode
from plate_ocr.inference.export import export_onnx, synthetic_crops
from plate_ocr.tools.loader_bench import train_config, train_datamodule

PROJECT_ROOT = Path(__file__).resolve().parents[1]
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
    model = hydra.utils.instantiate(train_config(f"model={TRAIN_MODEL}").model).train()
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
    cfg = train_config(
        "data=ccpd_crops",
        f"data.root={folder}",
        f"augment={pipeline}",
        f"data.batch_size={TRAIN_BATCH}",
        "data.num_workers=0",
    )
    return train_datamodule(cfg).train_dataloader()


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


def machine() -> str:
    """The CPU model and core count."""
    cpuinfo = Path("/proc/cpuinfo")
    names = [
        line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if "model name" in line
    ]
    return f"{names[0] if names else platform.processor() or platform.machine()}, {len(names) or '?'} cores"


def rate(result: dict, key: str) -> str:
    """A throughput as `median (slowest–fastest round)`, or just the value after one round."""
    low, high = result[f"{key}_range"]
    return f"{result[key]:.0f}" if low == high else f"{result[key]:.0f} ({low:.0f}–{high:.0f})"


def report(inference: dict, decoding: dict, training: dict, rounds: int, quick: bool) -> str:
    """The results as Markdown."""
    lines = [
        "# Benchmarks",
        "",
        f"`python -m plate_ocr.tools.bench{' --quick' if quick else ''}` on {date.today()}: {machine()}, "
        f"torch {torch.__version__}, onnxruntime {ort.__version__}. Input 1x32x128, random weights "
        "(speed does not depend on them). Timings are wall clock on a machine that may be shared: every "
        f"configuration was measured once in each of {rounds} round(s), one after the other, so that a slow "
        "spell falls on all of them alike; throughputs are the median round (slowest–fastest round).",
        "",
        "## Inference",
        "",
        "Latency: batch 1, 200 runs per round. Throughput: median of 10 batches per round. Threads: "
        "torch.get_num_threads() for PyTorch, the same number as ONNX Runtime's intra_op_num_threads. "
        "int8: the file `python -m plate_ocr.inference.export precision=int8` writes (int8 convolutions calibrated on "
        "synthetic plates, int8 LSTM weights). "
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
            f"| {model} | {BACKEND_NAMES[backend]} | {r['threads']} "
            f"| {r['p50']:.2f} ({r['p10']:.2f}–{r['p90']:.2f}) | {rate(r, 'batch_64')} "
            f"| {rate(r, 'batch_256')} | {r['rss_before']:.0f} → {r['rss_peak']:.0f} |"
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
        f"{TRAIN_MODEL}, batch {TRAIN_BATCH}, the same synthetic JPEG crops on disk (94x24, as "
        "CCPD2019-dl1's), num_workers=0 (on a small CPU, loader workers share the cores with the training "
        "step). Loader alone: batch size / median seconds per batch, over 40 batches. Training: the same "
        "over 12 steps of forward, CTC loss, backward and Adam step fed by that loader, "
        f"{torch.get_num_threads()} torch threads. Peak RSS as above.",
        "",
        "| data pipeline | loader alone, img/s | loader vs notebook | training, img/s | peak RSS, MB |",
        "|---|---|---|---|---|",
        *(
            f"| {PIPELINES[name]} | {rate(r, 'loader')} "
            f"| {r['loader'] / training['notebook']['loader']:.1f}x "
            f"| {rate(r, 'train')} | {r['rss_before']:.0f} → {r['rss_peak']:.0f} |"
            for name, r in training.items()
        ),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny repeat counts: seconds, for tests")
    parser.add_argument(
        "--out", type=Path, help="where to write the table (default: BENCHMARKS.md, except with --quick)"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="every configuration is measured once per round"
    )
    parser.add_argument(
        "--models", nargs="+", choices=MODELS, default=list(MODELS), help="conf/model options"
    )
    args = parser.parse_args(argv)
    rounds = 1 if args.quick else args.rounds
    configurations = [(model, backend) for model in args.models for backend in BACKENDS]
    results = in_rounds(measure_inference, [(*c, args.quick) for c in configurations], args.quick, rounds)
    inference = dict(zip(configurations, results))
    training = training_rows(args.quick, rounds)
    table = report(inference, measure_decoding(args.quick), training, rounds, args.quick)
    print(table)
    out = args.out or (None if args.quick else PROJECT_ROOT / "BENCHMARKS.md")
    if out:
        out.write_text(table, encoding="utf-8")
        print(f"wrote {out}")
    return table


if __name__ == "__main__":
    main()
