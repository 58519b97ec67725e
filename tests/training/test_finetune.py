"""`experiment=finetune` on a folder of one camera's labelled crops, as the tests make them."""

import json

import pytest

from plate_ocr.charset import Charset
from plate_ocr.data.labels_file import LabelsFileError, labelled_records, read_labels, write_labels
from plate_ocr.synth.config import default_renderer
from plate_ocr.synth.probes.previews import write_crops
from tests.conftest import run_entry

TINY = ["data.batch_size=8", "data.num_workers=0", "trainer.max_epochs=2", "+trainer.limit_train_batches=2"]


@pytest.fixture
def camera(tmp_path):
    """Twelve labelled crops named `<n>-<plate>.jpg`, as a camera's folder after labelling."""
    folder = tmp_path / "camera"
    write_crops(default_renderer(), 12, folder, seed=3)
    return folder


def test_finetune_trains_on_the_folder_and_says_before_and_after(camera, tmp_path):
    run = tmp_path / "run"
    result = run_entry(
        "train.py", "experiment=finetune", f"data.root={camera}", *TINY, f"hydra.run.dir={run}"
    )
    assert "validation accuracy: before" in result.stdout
    metrics = json.loads((run / "metrics.json").read_text())
    assert {"val/acc_before", "val/acc", "test/acc"} <= set(metrics)
    assert (run / "checkpoints" / "last.ckpt").is_file() and list((run / "checkpoints").glob("epoch_*.ckpt"))


def test_labels_tsv_labels_crops_whose_names_carry_none(tmp_path):
    folder = tmp_path / "unnamed"
    write_crops(default_renderer(), 3, folder, seed=4)
    renamed = {}
    for number, path in enumerate(sorted(folder.iterdir())):
        plate = path.stem.rsplit("-", 1)[-1]
        path.rename(folder / f"IMG_{number}.jpg")
        renamed[f"IMG_{number}.jpg"] = plate
    write_labels(folder, {**renamed, "IMG_2.jpg": "-"})  # the last one marked unreadable
    assert read_labels(folder)["IMG_0.jpg"] == renamed["IMG_0.jpg"]
    records = labelled_records(folder, "cam", Charset())
    assert [record.label for record in records] == [renamed["IMG_0.jpg"], renamed["IMG_1.jpg"]]


def test_labels_tsv_and_names_that_disagree_name_the_file(camera):
    first = sorted(camera.iterdir())[0]
    write_labels(camera, {first.name: "皖A00000"})
    with pytest.raises(LabelsFileError, match=first.name):
        labelled_records(camera, "cam", Charset())


def test_a_labels_tsv_that_does_not_parse_names_the_line(camera):
    (camera / "labels.tsv").write_text("a.jpg\t皖A12345\nno tab here\n", encoding="utf-8")
    with pytest.raises(LabelsFileError, match="line 2"):
        read_labels(camera)


def test_evaluate_reads_a_folder_by_its_labels_tsv(tmp_path):
    folder = tmp_path / "labelled"
    write_crops(default_renderer(), 4, folder, seed=5)
    named = {path.name: path.stem.rsplit("-", 1)[-1] for path in folder.iterdir()}
    for number, name in enumerate(sorted(named)):
        (folder / name).rename(folder / f"cam_{number}.jpg")
    write_labels(folder, {f"cam_{number}.jpg": named[name] for number, name in enumerate(sorted(named))})
    run = tmp_path / "eval"
    run_entry("evaluate.py", "data=folder", f"data.root={folder}", f"hydra.run.dir={run}")
    assert json.loads((run / "metrics.json").read_text())["num_samples"] == 4


def test_unlabelled_crops_are_pseudo_labelled_and_trained_on(camera, tmp_path):
    unlabelled = tmp_path / "unlabelled"
    write_crops(default_renderer(), 6, unlabelled, seed=6)
    for number, path in enumerate(sorted(unlabelled.iterdir())):
        path.rename(unlabelled / f"frame_{number}.jpg")  # names that carry no plate
    run = tmp_path / "run"
    result = run_entry(
        "train.py",
        "experiment=finetune",
        f"data.root={camera}",
        f"data.unlabelled={unlabelled}",
        "pseudo_labels.min_confidence=0",
        "pseudo_labels.min_agreement=0",
        *TINY,
        f"hydra.run.dir={run}",
    )
    assert "crops pseudo-labelled and trained on" in result.stdout + result.stderr
    assert "validation accuracy: before" in result.stdout
