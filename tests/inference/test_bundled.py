"""The model shipped in the package: it loads safely and reads generated plates."""

import numpy as np
import torch
from hydra.utils import _locate

from plate_ocr.checkpoints import BUNDLED_CHECKPOINT, load_recognizer, read_checkpoint
from plate_ocr.preprocess import preprocess
from plate_ocr.synth.config import default_renderer


def test_bundled_model_is_small_and_loads_with_weights_only():
    assert BUNDLED_CHECKPOINT.stat().st_size < 20e6
    checkpoint = torch.load(BUNDLED_CHECKPOINT, weights_only=True)
    assert set(checkpoint["hyper_parameters"]) >= {"alphabet", "image_size", "net"}


def test_bundled_model_reads_generated_plates():
    model = load_recognizer(None)
    # Lettered as the plates it was trained on: half of them 皖, hanzi in Noto Sans CJK filling their box.
    renderer = default_renderer(
        provinces={"皖": 0.5},
        chinese_faces=["noto_sans"],
        camera={"defocus_sigma": [0, 0.3], "motion_blur_p": 0, "low_resolution_p": 0, "haze_p": 0},
    )
    plates = [renderer(np.random.default_rng([123, i])) for i in range(16)]
    images = torch.stack([preprocess(image, model.image_size) for image, _ in plates])
    with torch.no_grad():
        readings = [d.text for d in model.decode(model(images))]
    correct = sum(reading == label for reading, (_, label) in zip(readings, plates))
    assert correct >= 12, list(zip(readings, [label for _, label in plates]))


def test_bundled_model_reads_plates_of_several_provinces():
    model = load_recognizer(None)
    clean = {"defocus_sigma": [0, 0.3], "motion_blur_p": 0, "low_resolution_p": 0, "haze_p": 0, "jpeg_p": 0}
    plates = [
        default_renderer(provinces={province: 1.0}, plate_types={"blue": 1.0}, camera=clean)(
            np.random.default_rng([321, n])
        )
        for n, province in enumerate("京沪粤川浙苏鲁湘" * 2)
    ]
    images = torch.stack([preprocess(image, model.image_size) for image, _ in plates])
    with torch.no_grad():
        readings = [d.text for d in model.decode(model(images))]
    provinces_read = {label[0] for reading, (_, label) in zip(readings, plates) if reading == label}
    assert len(provinces_read) >= 6, list(zip(readings, [label for _, label in plates]))


def test_checkpoints_written_before_the_package_moved_name_modules_that_exist():
    """The bundled checkpoint was written before the modules moved into subpackages; users' checkpoints of
    that time name the same `_target_`s, and every one of them must still import."""
    hparams = read_checkpoint(BUNDLED_CHECKPOINT)["hyper_parameters"]
    targets = [
        node["_target_"] for node in (hparams["net"], hparams["optimizer"], hparams["scheduler"]) if node
    ]
    assert "plate_ocr.models.crnn.CRNN" in targets
    for target in targets:
        assert _locate(target) is not None, target
