from pathlib import Path

import hydra
import numpy as np
import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf, open_dict

from plate_ocr.plate_format import PROVINCES
from plate_ocr.system import PlateRecognizer

CONF = Path(__file__).resolve().parents[1] / "conf"
GROUPS = [
    "data",
    "renderer",
    "augment",
    "model",
    "trainer",
    "callbacks",
    "logger",
    "experiment",
    "hparams_search",
    "debug",
]


def options(group: str) -> list[str]:
    """The options of a config group; `_base.yaml` and the like are what options extend, not options."""
    return sorted(path.stem for path in (CONF / group).glob("*.yaml") if not path.stem.startswith("_"))


def compose_train(*overrides: str):
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        return compose("train", overrides=list(overrides), return_hydra_config=True)


@pytest.mark.parametrize(("group", "option"), [(g, o) for g in GROUPS for o in options(g)])
def test_every_option_composes(group, option):
    cfg = compose_train(f"{group}={option}")
    OmegaConf.resolve(cfg.model)
    OmegaConf.resolve(cfg.data)
    assert cfg.trainer._target_ == "pytorch_lightning.Trainer"
    assert cfg.data._target_ == "plate_ocr.data.datamodule.PlateDataModule"
    assert cfg.renderer._target_ == "plate_ocr.synth.renderer.PlateRenderer"


@pytest.mark.parametrize("option", options("data"))
def test_data_configs_that_render_plates_take_the_renderer_group(option):
    sources = compose_train(f"data={option}", "renderer=even_provinces").data.sources
    if "renderer" in sources:
        assert OmegaConf.to_yaml(sources).count("${renderer}") == 1
        assert sources.renderer == compose_train("renderer=even_provinces").renderer


def test_evaluate_config_composes_with_every_data_option():
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        for option in options("data"):
            cfg = compose("evaluate", overrides=[f"data={option}", "ckpt=x.ckpt"])
            assert cfg.data.sources._target_.startswith("plate_ocr.data.sources.")
            OmegaConf.resolve(cfg.data)


@pytest.mark.parametrize("option", options("augment"))
def test_augmentations_keep_uint8_shape(option):
    augment = hydra.utils.instantiate(compose_train(f"augment={option}").augment)
    image = np.random.default_rng(0).integers(0, 256, (32, 128), dtype=np.uint8)
    for _ in range(20):  # effects apply at random: several draws
        out = augment(image)
        assert out.shape == image.shape and out.dtype == np.uint8


@pytest.mark.parametrize("option", options("model"))
def test_models_instantiate_with_plain_hyperparameters(option):
    cfg = compose_train(f"model={option}")
    with open_dict(cfg):
        cfg.trainer.max_epochs = 3
    model: PlateRecognizer = hydra.utils.instantiate(cfg.model)
    for value in model.hparams.values():
        assert isinstance(value, (dict, list, str, int, float, type(None)))


def test_experiment_seed_is_the_notebook_setting():
    cfg = compose_train("experiment=seed", "data.root=/data")
    assert cfg.model.net.channels == [64, 128, 256, 512, 1024]
    assert cfg.data.batch_size == 256 and cfg.trainer.max_epochs == 10
    assert cfg.model.optimizer._target_ == "torch.optim.Adam" and cfg.model.scheduler is None
    (warp,) = cfg.augment.effects
    assert warp.perspective == 0.5 and warp.perspective_p == 0.5 and warp.degrees == 10


def test_province_priors_of_the_renderer_configs():
    def province_p(*overrides: str) -> np.ndarray:
        renderer = hydra.utils.instantiate(compose_train(*overrides).data.sources.renderer)
        return np.diff(renderer.strings.provinces, prepend=0)

    default = province_p()
    assert default[PROVINCES.index("皖")] == pytest.approx(0.5) and default.min() == pytest.approx(0.5 / 30)
    for renderer in ("even_provinces", "any_camera"):
        alike = province_p(f"renderer={renderer}")
        assert alike == pytest.approx(np.full(31, 1 / 31), abs=1e-3)
    cfg = compose_train("renderer=even_provinces")
    assert cfg.data.sources.renderer.stroked_share == compose_train().data.sources.renderer.stroked_share


def test_bundled_recipe_trains_crnn_wide_from_scratch_and_its_gpu_setting_scales_it_up():
    cpu, gpu = compose_train("experiment=bundled"), compose_train("experiment=bundled_gpu")
    assert cpu.model.net.channels == gpu.model.net.channels == [32, 64, 128, 128, 256]
    assert cpu.init_from is None and cpu.data.sources._target_.endswith("synth_splits")
    assert cpu.data.sources.renderer == compose_train().data.sources.renderer
    assert cpu.trainer.accelerator == "cpu"
    assert gpu.trainer.accelerator == "gpu" and gpu.trainer.precision == "bf16-mixed"
    assert gpu.data.batch_size > cpu.data.batch_size and gpu.data.num_workers > cpu.data.num_workers
    shard = compose_train("experiment=bundled_gpu", "data=shard", "data.root=/shard")
    assert shard.data.sources._target_.endswith("shard_splits") and shard.data.root == "/shard"


def test_any_camera_renderer_widens_framing_and_camera_over_the_default():
    renderer = hydra.utils.instantiate(compose_train("renderer=any_camera").data.sources.renderer)
    default = hydra.utils.instantiate(compose_train().data.sources.renderer)
    assert renderer.camera.margin_x[0] < default.camera.margin_x[0] and renderer.camera.haze_p > 0
    assert renderer.size_scale == (1.0, 1.6) and default.size_scale == (1.0, 1.0)
    assert len(renderer.chinese_faces) == 7 and default.chinese_faces == ["noto_sans"]


def test_a_renderer_key_is_changed_from_the_command_line_and_an_experiment_keeps_it():
    cfg = compose_train("experiment=bundled", "renderer=any_camera", "renderer.chinese_faces=[plate_strokes]")
    renderer = hydra.utils.instantiate(cfg.data.sources)
    assert renderer.keywords["renderer"].chinese_faces == ["plate_strokes"]
    assert cfg.renderer.camera.haze_p == compose_train("renderer=any_camera").renderer.camera.haze_p


def test_the_data_configs_extend_one_base_and_state_only_what_differs():
    base = OmegaConf.load(CONF / "data" / "_base.yaml")
    for option in options("data"):
        own = OmegaConf.load(CONF / "data" / f"{option}.yaml")
        assert list(own.defaults) == ["_base", "_self_"], option
        repeated = [key for key in own if key in base and own[key] == base[key]]
        assert not repeated, f"data/{option}.yaml repeats {repeated} of data/_base.yaml"
