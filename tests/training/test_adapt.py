"""Self-training on unlabelled crops (experiment=adapt): pseudo-label selection, the report, bad input and
the round loop end to end on rendered crops."""

import json
import logging

import cv2
import hydra
import numpy as np
import pytest
import torch
from hydra import compose, initialize_config_dir

from plate_ocr.charset import Charset
from plate_ocr.checkpoints import load_recognizer
from plate_ocr.data.synth_plates import SynthPlates
from plate_ocr.data.validation import BadDataError
from plate_ocr.decoding.grammar import grammar_decode
from plate_ocr.decoding.greedy import greedy_decode
from plate_ocr.decoding.tta import ReframingVote
from plate_ocr.synth.config import default_renderer
from plate_ocr.training.adapt import AdaptError, labels_in_names, list_unlabelled, training_records
from plate_ocr.training.adapt_report import nothing_kept, report_round, rounds_table
from plate_ocr.training.pseudo_labels import PseudoLabel, label_views
from tests.conftest import PROJECT_ROOT, run_entry

CHARSET = Charset()
PLATE, OTHER = "皖A12345", "苏B67890"


def logits_reading(text: str, margin: float = 12.0, steps: int = 32) -> torch.Tensor:
    """(1, steps, classes) logits whose best path reads `text`, each character then a blank; `margin`
    is how far the best class stands above the others at every step."""
    logits = torch.zeros(1, steps, CHARSET.num_classes)
    logits[0, :, 0] = margin
    for i, index in enumerate(CHARSET.alphabet.index(char) + 1 for char in text):
        logits[0, 2 * i, 0] = 0.0
        logits[0, 2 * i, index] = margin
    return logits


def select_one(views: list[torch.Tensor], decode=grammar_decode) -> PseudoLabel:
    return label_views(views, ["crop.jpg"], CHARSET, decode, min_confidence=0.5, min_agreement=0.75)[0]


def test_a_confident_valid_plate_all_framings_read_is_kept():
    label = select_one([logits_reading(PLATE)] * 6)
    assert label.kept and label.text == label.once == PLATE
    assert label.agreement == 1.0 and label.confidence > 0.9


@pytest.mark.parametrize("text", ["皖A1234", "皖A1234警5", "1A12345"])
def test_a_reading_that_is_no_plate_is_dropped(text):
    label = select_one([logits_reading(text)] * 6, decode=greedy_decode)
    assert label.text == text and label.confidence > 0.9 and not label.kept


def test_an_unconfident_reading_is_dropped():
    label = select_one([logits_reading(PLATE, margin=4.0)] * 6)
    assert label.text == PLATE and label.agreement == 1.0
    assert label.confidence < 0.5 and not label.kept


def test_framings_that_disagree_are_dropped():
    label = select_one([logits_reading(PLATE)] * 4 + [logits_reading(OTHER)] * 3)
    assert label.text == PLATE and label.agreement == pytest.approx(4 / 7) and not label.kept
    # A lone dissenting framing does not stop a reading the others agree on.
    assert select_one([logits_reading(PLATE)] * 6 + [logits_reading(OTHER)]).kept


def test_the_report_scores_only_names_that_carry_plates():
    truth = labels_in_names(["a/0001-皖A12345.jpg", "a/0002-苏B67890.jpg", "a/IMG_0003.jpg"], CHARSET)
    assert truth == {"a/0001-皖A12345.jpg": PLATE, "a/0002-苏B67890.jpg": OTHER}
    labels = [
        PseudoLabel("a/0001-皖A12345.jpg", PLATE, "皖A1234", 0.9, 1.0, kept=True),
        PseudoLabel("a/0002-苏B67890.jpg", "皖B67890", "苏B67890", 0.8, 0.9, kept=True),
        PseudoLabel("a/IMG_0003.jpg", PLATE, PLATE, 0.9, 1.0, kept=True),
    ]
    report = report_round(2, labels, truth, seconds=3.0)
    assert (report.crops, report.kept, report.labelled, report.kept_labelled) == (3, 3, 2, 2)
    assert (report.precision, report.accuracy, report.voted_accuracy) == (0.5, 0.5, 0.5)
    row = rounds_table([report]).splitlines()[2]
    assert row == "| 2 | 3 / 3 | 0.500 (1/2) | 0.500 (1/2) | 0.500 (1/2) | 3 |"


def test_without_plates_in_names_the_report_counts_kept_crops_only():
    labels = [PseudoLabel("IMG_1.jpg", PLATE, PLATE, 0.9, 1.0, kept=True)]
    report = report_round(0, labels, labels_in_names(["IMG_1.jpg"], CHARSET), seconds=1.0)
    assert report.precision is None and report.accuracy is None
    assert rounds_table([report]).splitlines()[2] == "| 0 | 1 / 1 | - | - | - | 1 |"


def test_rounds_train_on_kept_readings_or_on_the_plates_in_the_names():
    labels = [
        PseudoLabel("a/0-皖A12345.jpg", "皖A12346", "皖A12346", 0.9, 1.0, True),
        PseudoLabel("a/1-粤B54321.jpg", "鄂B54321", "鄂B54321", 0.3, 0.5, False),
        PseudoLabel("a/IMG_2.jpg", "沪C11111", "沪C11111", 0.9, 1.0, True),
    ]
    truth = {"a/0-皖A12345.jpg": "皖A12345", "a/1-粤B54321.jpg": "粤B54321"}
    from_model = training_records(labels, truth, "model")
    assert [(r.path, r.label) for r in from_model] == [
        ("a/0-皖A12345.jpg", "皖A12346"),
        ("a/IMG_2.jpg", "沪C11111"),
    ]
    from_names = training_records(labels, truth, "names")
    assert [(r.path, r.label) for r in from_names] == list(truth.items())


def test_a_round_that_keeps_nothing_names_the_threshold_to_lower():
    unsure = [PseudoLabel("a.jpg", PLATE, PLATE, 0.31, 1.0, kept=False)]
    message = nothing_kept(1, unsure, min_confidence=0.5, min_agreement=0.75)
    assert message == (
        "round 1 kept none of the 1 crops as pseudo-labels: "
        "lower adapt.min_confidence (now 0.5; the best crop reached 0.31)"
    )
    split = [PseudoLabel("a.jpg", PLATE, PLATE, 0.9, 0.5, kept=False)]
    message = nothing_kept(0, split, min_confidence=0.5, min_agreement=0.75)
    assert message.endswith("lower adapt.min_agreement (now 0.75; the best crop reached 0.50)")


def write_image(path, image):
    path.write_bytes(cv2.imencode(path.suffix, image)[1].tobytes())


def test_unlabelled_crops_come_from_a_folder_or_a_glob(tmp_path):
    image = np.full((24, 94), 128, np.uint8)
    for name in ("b.jpg", "a.png", "notes.txt"):
        write_image(tmp_path / name, image) if name != "notes.txt" else (tmp_path / name).write_text("x")
    assert [p.rsplit("/", 1)[1] for p in list_unlabelled(str(tmp_path))] == ["a.png", "b.jpg"]
    assert [p.rsplit("/", 1)[1] for p in list_unlabelled(f"{tmp_path}/*.jpg")] == ["b.jpg"]


def test_bad_input_is_named_or_skipped_and_counted(tmp_path, caplog):
    write_image(tmp_path / "good.jpg", np.full((24, 94), 128, np.uint8))
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8 not really")
    with pytest.raises(BadDataError, match=r"1 bad data files.*\n.*broken.jpg: truncated JPEG"):
        list_unlabelled(str(tmp_path))
    with caplog.at_level(logging.WARNING):
        assert list_unlabelled(str(tmp_path), on_bad="skip") == [str(tmp_path / "good.jpg")]
    assert "left out 1 bad data files" in caplog.text and "broken.jpg" in caplog.text
    with pytest.raises(AdaptError, match="no readable crops left"):
        list_unlabelled(f"{tmp_path}/broken.jpg", on_bad="skip")


def test_an_empty_folder_or_glob_is_a_one_line_error(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"holds no \.jpg/\.jpeg/\.png/\.bmp files"):
        list_unlabelled(str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"data.unlabelled=.*\*.jpg matches no"):
        list_unlabelled(f"{tmp_path}/*.jpg")
    with pytest.raises(FileNotFoundError, match=r"needs data\.unlabelled=DIR"):
        list_unlabelled(None)


def test_experiment_adapt_composes():
    with initialize_config_dir(config_dir=str(PROJECT_ROOT / "conf"), version_base="1.3"):
        cfg = compose("train", overrides=["experiment=adapt", "data.unlabelled=/data/cam3"])
    assert cfg.data.unlabelled == "/data/cam3" and cfg.init_from == "bundled"
    assert cfg.data.sources._target_ == "plate_ocr.data.sources.pseudo_labelled_splits"
    assert isinstance(hydra.utils.instantiate(cfg.adapt.tta), ReframingVote)
    assert cfg.adapt.decoding == "grammar" and 0 < cfg.adapt.min_agreement <= 1
    assert cfg.trainer.check_val_every_n_epoch == cfg.trainer.max_epochs


def rendered_crops(folder, count, named):
    """`count` rendered plates as files, named `<n>-<plate>.jpg` when `named`, else `IMG_<n>.jpg`."""
    folder.mkdir()
    plates = SynthPlates(count, default_renderer(), seed=5)
    for i in range(count):
        sample = plates[i]
        name = f"{i:04d}-{sample.record.label}.jpg" if named else f"IMG_{i:04d}.jpg"
        write_image(folder / name, cv2.cvtColor(sample.image, cv2.COLOR_RGB2BGR))
    return folder


TINY_ADAPT = [
    "experiment=adapt",
    "data.sources.val_size=16",
    "data.sources.test_size=16",
    "data.batch_size=8",
    "data.eval_batch_size=16",
    "data.num_workers=0",
    "trainer.max_epochs=1",
    "adapt.min_confidence=0",
    "adapt.min_agreement=0",
    "adapt.tta.widths=[1.0]",
    "adapt.tta.heights=[0.9,1.0]",
    "adapt.tta.shifts=[0.0]",
]


def run_adapt(crops, run_dir, *overrides):
    """`train.py experiment=adapt`, tiny, on the folder `crops`, writing its run to `run_dir`."""
    return run_entry(
        "train.py", *TINY_ADAPT, f"data.unlabelled={crops}", *overrides, f"hydra.run.dir={run_dir}"
    )


@pytest.mark.slow
def test_rounds_on_crops_without_labels_train_and_write_the_run(tmp_path):
    crops = rendered_crops(tmp_path / "crops", 8, named=False)
    run = tmp_path / "run"
    result = run_adapt(crops, run, "adapt.rounds=1")
    table = (run / "rounds.md").read_text(encoding="utf-8").splitlines()
    assert [row.split(" | ")[1] for row in table[2:]] == ["8 / 8", "8 / 8"]
    assert table[2].startswith("| 0 | 8 / 8 | - | - | - |")
    assert "Self-training rounds" in result.stdout
    assert (run / "checkpoints" / "round_1" / "last.ckpt").is_file()
    assert (run / "tensorboard" / "round_1").is_dir() and (run / "tensorboard" / "rounds").is_dir()
    load_recognizer(run / "checkpoints" / "adapted.ckpt")
    readings = (run / "pseudo_labels" / "round_1.csv").read_text(encoding="utf-8").splitlines()
    assert readings[0] == "file,reading,read_once,confidence,agreement,kept" and len(readings) == 9
    metrics = json.loads((run / "metrics.json").read_text())
    assert (
        metrics["adapt/kept"] == 8
        and {"test/acc", "val/acc_best"} <= set(metrics)
        and "adapt/precision" not in metrics
    )
    with pytest.raises(
        pytest.fail.Exception, match=r"error: adapt.labels=names: no crop name .* carries a plate"
    ):
        run_adapt(crops, tmp_path / "names", "adapt.labels=names")


@pytest.mark.slow
def test_names_carrying_plates_are_scored_and_a_round_keeping_nothing_says_so(tmp_path):
    crops = rendered_crops(tmp_path / "crops", 6, named=True)
    run = tmp_path / "run"
    run_adapt(crops, run, "adapt.rounds=0")
    (row,) = json.loads((run / "rounds.json").read_text())
    assert row["labelled"] == row["kept_labelled"] == 6 and 0 <= row["precision"] <= 1
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["adapt/accuracy"] == row["accuracy"]

    named = tmp_path / "named"
    run_adapt(crops, named, "adapt.labels=names", "adapt.min_confidence=1.01", "adapt.rounds=1")
    first, _ = json.loads((named / "rounds.json").read_text())
    assert first["kept"] == 0 and (named / "checkpoints" / "round_1" / "last.ckpt").is_file()

    with pytest.raises(
        pytest.fail.Exception, match=r"error: round 0 kept none of the 6 crops.*min_confidence"
    ):
        run_adapt(crops, tmp_path / "none", "adapt.min_confidence=1.01")
