"""The benchmarks of plate_ocr.tools.bench, run and written up as Markdown (BENCHMARKS.md)."""

from __future__ import annotations

import platform
from datetime import date
from pathlib import Path

import onnxruntime as ort
import torch

from plate_ocr.tools.bench import (
    BACKEND_NAMES,
    BACKENDS,
    MODELS,
    PIPELINES,
    TRAIN_BATCH,
    TRAIN_MODEL,
    in_rounds,
    measure_decoding,
    measure_inference,
    training_rows,
)


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


def inference_section(inference: dict, quick: bool) -> list[str]:
    """The inference table: latency, throughput and peak RSS per model and backend."""
    lines = [
        "## Inference",
        "",
        "Latency: batch 1, 200 runs per round. Throughput: median of 10 batches per round. Threads: "
        "torch.get_num_threads() for PyTorch, the same number as ONNX Runtime's intra_op_num_threads. "
        "int8: the file `plate-ocr export --precision int8` writes (int8 convolutions calibrated on "
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
    return lines


def decoding_section(decoding: dict) -> list[str]:
    """Milliseconds per plate of each decoder."""
    return [
        "## Decoding",
        "",
        "Per plate, batch 256, T = 16, random logits (the grammar decoder's worst case: it runs its dynamic "
        "programme only where the greedy reading is not a valid plate).",
        "",
        "| decoder | ms per plate |",
        "|---|---|",
        *(f"| {name} | {ms:.3f} |" for name, ms in decoding.items()),
    ]


def training_section(training: dict) -> list[str]:
    """Loader and training-step throughput of each data pipeline, against the notebook's."""
    return [
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
    ]


def report(inference: dict, decoding: dict, training: dict, rounds: int, quick: bool) -> str:
    """The results as Markdown."""
    lines = [
        "# Benchmarks",
        "",
        f"`plate-ocr bench{' --quick' if quick else ''}` on {date.today()}: {machine()}, "
        f"torch {torch.__version__}, onnxruntime {ort.__version__}. Input 1x32x128, random weights "
        "(speed does not depend on them). Timings are wall clock on a machine that may be shared: every "
        f"configuration was measured once in each of {rounds} round(s), one after the other, so that a slow "
        "spell falls on all of them alike; throughputs are the median round (slowest–fastest round).",
        "",
        *inference_section(inference, quick),
        "",
        *decoding_section(decoding),
        "",
        *training_section(training),
        "",
    ]
    return "\n".join(lines)


def benchmark(models: tuple[str, ...] = MODELS, quick: bool = False, rounds: int = 3) -> str:
    """Measure inference of `models` on every backend, decoding and training steps, `rounds` times (once
    when `quick`, with tiny repeat counts), and report them as Markdown."""
    rounds = 1 if quick else rounds
    configurations = [(model, backend) for model in models for backend in BACKENDS]
    results = in_rounds(measure_inference, [(*c, quick) for c in configurations], quick, rounds)
    inference = dict(zip(configurations, results))
    training = training_rows(quick, rounds)
    return report(inference, measure_decoding(quick), training, rounds, quick)
