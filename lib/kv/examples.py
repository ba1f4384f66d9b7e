"""Example text where the KL and the actual token's excess log-loss disagree (``python -m lib.kv examples``).

A long-context row names its article and its target t (:mod:`lib.kv.long`); decoding the tokens around t needs
the tokenizer only, never the model. The command stores the decoded examples beside the data, in
``book/data/kv/<model>-long-examples.json`` with provenance (:func:`lib.store.write_record`), so the book reads
text and never loads a tokenizer.
"""
from __future__ import annotations

from . import store
from .limits import disagreements

__all__ = ["example_rows", "examples_path", "write_examples", "load_examples"]


def example_rows(measurement, tokenizer, segments, k: int = 6, context: int = 16) -> list:
    """The ``k`` positions of :func:`lib.kv.limits.disagreements` (sliding window) with their text decoded.

    Parameters
    ----------
    measurement : lib.kv.store.Measurement
        A long-context measurement.
    tokenizer
        Anything with ``decode(list of int) -> str`` (the model's tokenizer).
    segments : list of lib.kv.corpus.Segment
        The measured segments, in order (their titles must match the measurement's).
    k, context : int
        Positions, and tokens of text shown on each side of the cut.

    Returns
    -------
    list of dict
        The fields of :func:`~lib.kv.limits.disagreements` plus ``kept`` (the last ``context`` tokens of the
        window x_{t−w} … x_{t−1}), ``removed_text`` (the last ``context`` removed tokens, just before the window)
        and ``token`` (the actual next token x_t), all decoded.
    """
    titles = measurement.meta["corpus"]["segments"]
    out = []
    for row in disagreements(measurement, "sliding", k):
        seg = segments[row["segment"]]
        if seg.title != titles[row["segment"]]:
            raise ValueError(f"segment {row['segment']} is {seg.title!r} here but {titles[row['segment']]!r} in "
                             f"{measurement.name!r}: tokenize the corpus with the measured model's tokenizer")
        t, start = row["target"], row["target"] - row["window"]
        ids = [int(i) for i in seg.ids]
        out.append({**row, "kept": tokenizer.decode(ids[max(start, t - context):t]),
                    "removed_text": tokenizer.decode(ids[max(0, start - context):start]),
                    "token": tokenizer.decode(ids[t:t + 1])})
    return out


def examples_path(model: str, data_dir=None):
    """``<data_dir>/<model>-long-examples.json`` (default :data:`lib.kv.store.DATA_DIR`)."""
    from pathlib import Path

    return Path(data_dir or store.DATA_DIR) / f"{model}-long-examples.json"


def write_examples(model: str, k: int = 6, context: int = 16, data_dir=None):
    """Decode the disagreement examples of ``<model>-long`` with the model's tokenizer and store them.

    Loads the tokenizer of the converted model (:func:`lib.kv.models.converted_path`), never the weights, and
    re-reads the corpus to recover the segments' token ids.
    """
    from transformers import AutoTokenizer

    from lib.store import provenance, write_record

    from .long import long_plan, plan_segments
    from .models import MODELS, converted_path

    if model not in MODELS:
        raise ValueError(f"unknown `model` {model!r}: use one of {sorted(MODELS)}")
    m = store.load(f"{model}-long", data_dir=data_dir)
    tokenizer = AutoTokenizer.from_pretrained(str(converted_path(MODELS[model])))
    plan = long_plan(model, segments=int(m.meta["protocol"]["segments"]))
    rows = example_rows(m, tokenizer, plan_segments(plan, tokenizer), k=k, context=context)
    meta = provenance(command=f"python -m lib.kv examples --model {model}", packages=("transformers", "tokenizers"),
                      source=f"{model}-long", source_csv_sha256=m.meta["csv_sha256"], k=k, context=context)
    return write_record(examples_path(model, data_dir), {"examples": rows}, meta)


def load_examples(model: str, csv_sha256: str | None = None, data_dir=None):
    """The stored examples of ``model`` (list of dict), or None if the command has not been run, or if
    ``csv_sha256`` is given and they were decoded from another version of the data file."""
    from lib.store import read_record

    path = examples_path(model, data_dir)
    if not path.exists():
        return None
    meta, payload = read_record(path)
    return None if csv_sha256 is not None and meta.get("source_csv_sha256") != csv_sha256 else payload["examples"]
