"""Packed shards: rendered once into one memory-mapped array, streamed by data=shard."""

import numpy as np
import pytest

from plate_ocr.data.shard import ShardPlates, write_shard
from plate_ocr.preprocess import to_model_size
from plate_ocr.synth.renderer import PlateRenderer
from tests.conftest import TINY_SYNTH, run_entry


@pytest.mark.slow
def test_a_shard_holds_the_rendered_plates_at_model_size_and_trains(tmp_path):
    renderer = PlateRenderer()
    write_shard(renderer, 40, tmp_path / "shard", seed=5, workers=2, image_size=(32, 128))
    shard = ShardPlates(tmp_path / "shard")
    assert len(shard) == 40
    image, label, plate_type = renderer.render(np.random.default_rng([5, 17]))
    sample = shard[17]
    assert sample.record.label == label and sample.record.subset == plate_type
    assert np.array_equal(sample.image, to_model_size(image, (32, 128)))

    drawn = ShardPlates(tmp_path / "shard", plates_per_epoch=100)
    assert len(drawn) == 100 and {drawn[0].record.path for _ in range(20)} != {"shard/0"}
    run_entry(
        "train.py",
        "data=shard",
        f"data.root={tmp_path / 'shard'}",
        "debug=fdr",
        *TINY_SYNTH[1:],
        f"hydra.run.dir={tmp_path / 'run'}",
    )


def test_a_folder_that_is_not_a_shard_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="is not a plate shard"):
        ShardPlates(tmp_path)
