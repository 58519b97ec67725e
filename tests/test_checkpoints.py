"""Checkpoints of an older alphabet: they keep loading, and a run continues them onto the plate format's."""

import logging

import torch

from plate_ocr.checkpoints import load_recognizer, with_architecture_of
from plate_ocr.configs import compose_config
from plate_ocr.decoding.grammar import plate_automaton
from plate_ocr.plate_format import DEFAULT_ALPHABET, PLATE_LENGTHS
from plate_ocr.system import PlateRecognizer
from plate_ocr.training.run import build_model

IMAGE_SIZE = (32, 128)
FIRST_ALPHABET = DEFAULT_ALPHABET[: DEFAULT_ALPHABET.index("挂")]
NET = {"_target_": "plate_ocr.models.crnn.CRNN", "channels": [8, 8, 8, 8, 8], "lstm_hidden": 8}
ADAM = {"_target_": "torch.optim.Adam", "_partial_": True}


def old_checkpoint(path):
    """A checkpoint written before the GA 36 types: the first alphabet, 68 outputs."""
    old = PlateRecognizer(net=NET, optimizer=ADAM, image_size=IMAGE_SIZE, alphabet=FIRST_ALPHABET)
    torch.save({"state_dict": old.state_dict(), "hyper_parameters": dict(old.hparams)}, path)
    return old.eval()


def test_a_checkpoint_of_the_first_alphabet_loads_and_reads_with_it(tmp_path):
    old = old_checkpoint(tmp_path / "old.ckpt")
    loaded = load_recognizer(tmp_path / "old.ckpt")
    assert loaded.charset.alphabet == FIRST_ALPHABET and loaded.charset.num_classes == 68
    images = torch.rand(2, 1, *IMAGE_SIZE)
    with torch.no_grad():
        assert torch.equal(old(images), loaded(images))


def test_init_from_an_older_alphabet_adds_the_new_characters_and_keeps_the_rest(tmp_path, caplog):
    old = old_checkpoint(tmp_path / "old.ckpt")
    model_config = compose_config("train", ["model=crnn_small"]).model
    with caplog.at_level(logging.INFO, logger="plate_ocr.checkpoints"):
        model = build_model(model_config, str(tmp_path / "old.ckpt")).eval()
    assert model.charset.alphabet == DEFAULT_ALPHABET  # the old characters keep their outputs' indices
    assert "alphabet gains 挂使领港澳民航应急" in caplog.text
    images = torch.rand(4, 1, *IMAGE_SIZE)
    with torch.no_grad():
        before, after = old(images), model(images)
    assert after.shape[-1] == len(DEFAULT_ALPHABET) + 1
    assert torch.allclose(after[..., :68], before)  # every old output as it was
    old_bias = old.net.classifier.bias
    assert torch.all(model.net.classifier.bias[68:] == old_bias.min())  # new ones start out unlikely
    assert (after.argmax(-1) == before.argmax(-1)).all()


def test_the_bundled_model_is_continued_onto_the_plate_formats_alphabet():
    config = with_architecture_of(compose_config("train").model, "bundled")
    assert config.alphabet == DEFAULT_ALPHABET


def test_the_grammar_of_an_older_alphabet_keeps_the_types_it_can_write():
    grammar = plate_automaton(FIRST_ALPHABET, PLATE_LENGTHS)
    assert grammar.accepts("皖A12345") and grammar.accepts("京A0001警") and grammar.accepts("皖AD12345")
    assert not grammar.accepts("使014578") and not grammar.accepts("皖A1234挂")
