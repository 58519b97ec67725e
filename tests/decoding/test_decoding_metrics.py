import math

import pytest
import torch

from plate_ocr.charset import Charset
from plate_ocr.decoding.greedy import collapse, greedy_decode
from plate_ocr.evaluation import report
from plate_ocr.metrics import PlateAccuracy, PlateCER


@pytest.mark.parametrize(
    ("path", "expected"),
    [([0, 1, 1, 0, 2, 2, 0], [1, 2]), ([3, 0, 3], [3, 3]), ([3, 3, 3], [3]), ([0, 0], []), ([], [])],
)
def test_collapse_merges_repeats_then_drops_blanks(path, expected):
    assert collapse(path) == expected


def one_hot_logits(path: list[int], num_classes: int, peak: float = 10.0) -> torch.Tensor:
    logits = torch.zeros(len(path), num_classes)
    logits[torch.arange(len(path)), torch.tensor(path)] = peak
    return logits


def test_greedy_decode_reads_repeated_characters_across_a_blank():
    charset = Charset()
    zero = charset.encode("皖A00000")[2]
    wan, a = charset.encode("皖A00000")[:2]
    # 皖 A 0 - 0 - 0 - 0 - 0: five zeros need blanks between them.
    path = [wan, a, zero, 0, zero, 0, zero, 0, zero, 0, zero, 0, 0, 0, 0, 0]
    decoded = greedy_decode(one_hot_logits(path, charset.num_classes).unsqueeze(0), charset)
    assert decoded[0].text == "皖A00000"
    step_probability = math.exp(10) / (math.exp(10) + charset.num_classes - 1)
    assert decoded[0].confidence == pytest.approx(step_probability**16, rel=1e-4)


def test_accuracy_and_cer_match_hand_computed_values():
    predictions = ["皖A12345", "皖A1234", "苏B123456", ""]
    labels = ["皖A12345", "皖A12345", "皖B12345", "皖A12345"]
    accuracy, cer = PlateAccuracy(), PlateCER()
    accuracy.update(predictions, labels)
    cer.update(predictions, labels)
    assert accuracy.compute().item() == pytest.approx(1 / 4)
    # edits: 0, 1 (deletion), 2 (皖->苏, extra 6), 7; lengths: max(7,7)+max(6,7)+max(8,7)+max(0,7) = 29
    assert cer.compute().item() == pytest.approx(10 / 29)


def test_metrics_reset_and_accumulate_over_batches():
    cer = PlateCER()
    cer.update(["皖A12345"], ["皖A12346"])
    cer.update(["皖A12345"], ["皖A12345"])
    assert cer.compute().item() == pytest.approx(1 / 14)
    cer.reset()
    with pytest.warns(UserWarning, match="before the ``update``"):
        assert cer.compute().item() == 0.0


def test_report_counts_province_glyphs_read_right_per_group():
    rows = [
        {"label": "皖A12345", "prediction": "皖A12345", "subset": ""},
        {"label": "皖A12345", "prediction": "皖A12346", "subset": ""},
        {"label": "苏E9CD08", "prediction": "皖E9CD08", "subset": ""},
        {"label": "苏A57NT9", "prediction": "苏A57NT9", "subset": ""},
    ]
    summary = report.summarize(rows)
    assert summary["accuracy"] == pytest.approx(0.5)
    assert summary["province_accuracy"] == pytest.approx(0.75)
    assert summary["provinces"]["皖"]["province_accuracy"] == pytest.approx(1.0)
    assert summary["provinces"]["苏"]["province_accuracy"] == pytest.approx(0.5)
    assert summary["non_皖"]["province_accuracy"] == pytest.approx(0.5)
    table = report.format_table("per province:", summary["provinces"])
    assert table.splitlines()[1].split()[-1] == "province" and table.splitlines()[3].endswith("0.5000")
