"""Grammar-aware CTC decoding: the most probable alignment whose plate string is a valid Chinese plate.

The plate grammar is the forms of plate_ocr.plate_format's plate types (one set of allowed characters per
place), merged into a prefix tree: an automaton whose states are "the plate so far ends at this place of
these forms", intersected with the CTC alignment lattice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import torch

from plate_ocr.charset import Charset
from plate_ocr.decoding.greedy import Decoded, greedy_decode
from plate_ocr.plate_format import PLATE_FORMS


class PlateAutomaton:
    """Plate templates (the characters each place may hold) as a prefix tree over character sets. Node 0
    is the start (nothing read yet); node n > 0 reads one of the classes `classes[n]` (padded, -inf
    `penalty`) after node `parent[n]`."""

    def __init__(self, templates: Sequence[Sequence[str]], charset: Charset) -> None:
        index = {char: i + 1 for i, char in enumerate(charset.alphabet)}
        nodes: dict[tuple[int, str], int] = {}
        parents, allowed, finals, patterns = [0], [[]], set(), []
        for template in templates:
            # A template the charset cannot spell (a length it refuses, a place none of its characters fill)
            # reads nothing.
            spelled = all(set(chars) & index.keys() for chars in template)
            if len(template) not in charset.plate_lengths or not spelled:
                continue
            patterns.append(
                "".join(f"[{re.escape(''.join(c for c in chars if c in index))}]" for chars in template)
            )
            node = 0
            for chars in template:
                if (node, chars) not in nodes:
                    nodes[node, chars] = len(parents)
                    parents.append(node)
                    allowed.append([index[c] for c in chars if c in index])
                node = nodes[node, chars]
            finals.add(node)
        width = max(len(classes) for classes in allowed)
        self.parent = np.array(parents)
        self.classes = np.zeros((len(parents), width), dtype=np.int64)
        self.penalty = np.full((len(parents), width), -np.inf, dtype=np.float32)
        for node, classes in enumerate(allowed):
            self.classes[node, : len(classes)] = classes
            self.penalty[node, : len(classes)] = 0.0
        self.firsts = np.flatnonzero(self.parent == 0)[1:]
        self.finals = np.array(sorted(finals))
        self.pattern = re.compile("|".join(patterns))

    def accepts(self, text: str) -> bool:
        """Whether `text` is a plate of one of the templates."""
        return self.pattern.fullmatch(text) is not None


@lru_cache(maxsize=8)
def plate_automaton(alphabet: str, plate_lengths: tuple[int, ...]) -> PlateAutomaton:
    """The automaton of the plate forms (plate_ocr.plate_format.PLATE_FORMS) for one charset (built once per
    alphabet)."""
    return PlateAutomaton(PLATE_FORMS, Charset(alphabet, plate_lengths))


# Back pointers of a character state that did not take its parent's character.
STAY, FROM_BLANK = -1, -2


def grammar_decode(logits: torch.Tensor, charset: Charset) -> list[Decoded]:
    """The best CTC alignment whose collapsed string the plate grammar accepts; `logits` is (batch, time,
    classes), class 0 the blank.

    Exact best-path (Viterbi) decoding: the maximum over alignments, not the sum, so confidence is the
    probability of that single alignment, comparable to greedy_decode's. Where the greedy path already
    reads a valid plate it is that best alignment, so only the other plates run the dynamic programme.
    A plate that cannot fit in the time steps decodes to "" with confidence 0.
    """
    automaton = plate_automaton(charset.alphabet, charset.plate_lengths)
    decoded = greedy_decode(logits, charset)
    invalid = [i for i, d in enumerate(decoded) if not automaton.accepts(d.text)]
    if invalid:
        log_probs = logits[invalid].detach().float().log_softmax(-1).cpu().numpy()
        read_classes, scores = best_grammar_paths(log_probs, automaton)
        for i, row, score in zip(invalid, read_classes.tolist(), scores.tolist()):
            decoded[i] = (
                Decoded(charset.decode(row), float(np.exp(score))) if score > -np.inf else Decoded("", 0.0)
            )
    return decoded


def best_grammar_paths(log_probs: np.ndarray, automaton: PlateAutomaton) -> tuple[np.ndarray, np.ndarray]:
    """Viterbi over the CTC lattice of (batch, time, classes) `log_probs` intersected with `automaton`:
    per plate, the classes read (batch, time; 0 where a step reads nothing new) and the path's log score.
    """
    on_char, on_blank, char_from, blank_from = _viterbi(log_probs, automaton)
    finals = automaton.finals
    end_char = on_char[:, finals].argmax(-1)
    end_char_score = np.take_along_axis(on_char[:, finals], end_char[..., None], -1)[..., 0]
    end_scores = np.maximum(on_blank[:, finals], end_char_score)
    end = end_scores.argmax(-1)[:, None]
    score = np.take_along_axis(end_scores, end, -1)[:, 0]
    node = finals[end[:, 0]]
    char = np.take_along_axis(end_char, end, -1)[:, 0]
    on_a_blank = np.take_along_axis(on_blank[:, finals] >= end_char_score, end, -1)[:, 0]
    return _walk_back(automaton, char_from, blank_from, (node, char, on_a_blank)), score


def _viterbi(
    log_probs: np.ndarray, automaton: PlateAutomaton
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The forward pass: the best scores at the last step (`on_char`, `on_blank`) and the back pointers
    of every step (`char_from`, `blank_from`)."""
    parent, classes = automaton.parent, automaton.classes
    batch, steps, _ = log_probs.shape
    nodes, width = classes.shape
    # read[b, t, n, w]: log-probability of reading node n's w-th character at step t (-inf: not allowed).
    read = log_probs[:, :, classes] + automaton.penalty
    blank = log_probs[:, :, 0]
    parent_classes, all_nodes = classes[parent], np.arange(nodes)

    # on_char[b, n, w]: best score of an alignment ending on node n's w-th character (maybe repeated);
    # on_blank[b, n]: best score ending on a blank after node n's character (node 0: only blanks so far).
    on_char = np.full((batch, nodes, width), -np.inf, dtype=np.float32)
    on_char[:, automaton.firsts] = read[:, 0, automaton.firsts]
    on_blank = np.full((batch, nodes), -np.inf, dtype=np.float32)
    on_blank[:, 0] = blank[:, 0]
    # char_from[t]: STAY, FROM_BLANK (the parent's blank) or the parent's character w it followed;
    # blank_from[t]: the character w of the same node the blank followed, or STAY.
    char_from = np.empty((steps, batch, nodes, width), dtype=np.int8)
    blank_from = np.empty((steps, batch, nodes), dtype=np.int8)
    for t in range(1, steps):
        before = on_char[:, parent]
        # A character may follow its parent's character only when the two differ (else they merge).
        first, first_score = before.argmax(-1)[..., None], before.max(-1, keepdims=True)
        np.put_along_axis(before, first, -np.inf, -1)
        second, second_score = before.argmax(-1)[..., None], before.max(-1, keepdims=True)
        is_first = classes == parent_classes[all_nodes, first[..., 0]][..., None]
        from_char = np.where(is_first, second_score, first_score)
        from_blank = on_blank[:, parent, None]
        enter = np.maximum(from_blank, from_char)
        stay = on_char >= enter
        char_from[t] = np.where(
            stay, STAY, np.where(from_blank >= from_char, FROM_BLANK, np.where(is_first, second, first))
        )
        best_char, best_char_score = on_char.argmax(-1), on_char.max(-1)
        blank_stays = on_blank >= best_char_score
        blank_from[t] = np.where(blank_stays, STAY, best_char)
        on_blank = np.where(blank_stays, on_blank, best_char_score) + blank[:, t, None]
        on_char = np.where(stay, on_char, enter) + read[:, t]

    return on_char, on_blank, char_from, blank_from


def _walk_back(
    automaton: PlateAutomaton,
    char_from: np.ndarray,
    blank_from: np.ndarray,
    end: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> np.ndarray:
    """The classes each plate read (batch, time), walking the back pointers from its best `end` (node,
    character, whether on a blank) at the last step."""
    parent, classes = automaton.parent, automaton.classes
    node, char, on_a_blank = end
    steps, batch = blank_from.shape[:2]
    # Walk back all plates at once; a character is recorded at the last step of its run.
    plates = np.arange(batch)
    read_classes = np.zeros((batch, steps), dtype=np.int64)
    for t in range(steps - 1, 0, -1):
        came = np.where(on_a_blank, blank_from[t, plates, node], char_from[t, plates, node, char])
        leaves = ~on_a_blank & (came != STAY)
        read_classes[:, t] = np.where(leaves, classes[node, char], 0)
        char = np.where(came >= 0, came, char)
        node = np.where(leaves, parent[node], node)
        on_a_blank = np.where(on_a_blank, came == STAY, came == FROM_BLANK)
    read_classes[:, 0] = np.where(on_a_blank, 0, classes[node, char])
    return read_classes
