"""Text the model wrote: segments sampled from a model itself (``python -m lib.kv sample``), and their loader.

On sampled text the full-context law *is* the law of the next token, so ``Δ_model`` is a Bayes gap and the
expected excess log-loss of the actual next token equals the expected KL (the converse's premise holds by
construction). Sampling: ancestral, temperature 1, no top-k or top-p, with the model's KV cache (one forward
of one token per step); every special token the model samples (end of text included) is kept and sampling
goes on, so a segment is a draw from the model's own conditional laws for ``length`` tokens. Segment ``i`` of
batch ``b`` uses the ``torch.Generator`` seeded ``seed * 1000 + b`` (batches are independent, so a resumed
run gives the same text). The token ids are stored (decoding and re-encoding the text would not give them
back) with the decoded text, in ``book/data/kv/<model>-samples.json``.
"""
from __future__ import annotations

import hashlib
import json

import numpy as np

from lib import checks
from lib import store as house

from .store import atomic_write

__all__ = ["sample_ids", "generate", "load_segments", "samples_meta", "samples_path"]


def samples_path(model: str):
    """``book/data/kv/<model>-samples.json``."""
    return house.DATA_DIR / "kv" / f"{model}-samples.json"


def _prompt(tokenizer) -> list:
    """The start of every sample: the tokenizer's end-of-text token (a document boundary), else its EOS."""
    tok = "<|endoftext|>" if "<|endoftext|>" in tokenizer.get_vocab() else tokenizer.eos_token
    return [int(tokenizer.convert_tokens_to_ids(tok))]


def sample_ids(model, prompt, n: int, length: int, seed: int) -> np.ndarray:
    """``n`` sequences of ``length`` tokens: ``prompt`` then ancestral samples at temperature 1 (one batch).

    Each step draws ``x_t ~ softmax(logits(x_<t))`` (float64 probabilities, ``torch.multinomial`` with a
    generator seeded ``seed``), reading the prefix through the model's KV cache.

    Returns
    -------
    numpy.ndarray, shape [n, length]
    """
    import torch

    n, length, seed = checks.count(n, "n"), checks.count(length, "length", 2), checks.count(seed, "seed", 0)
    prompt = [int(p) for p in prompt]
    if not prompt or len(prompt) >= length:
        raise ValueError(f"`prompt` must hold 1 .. length - 1 = {length - 1} tokens, got {len(prompt)}")
    gen = torch.Generator().manual_seed(seed)
    out = torch.empty((n, length), dtype=torch.int64)
    out[:, :len(prompt)] = torch.as_tensor(prompt)
    with torch.inference_mode():
        step = model(input_ids=out[:, :len(prompt)], use_cache=True, logits_to_keep=1)
        for t in range(len(prompt), length):
            probs = torch.softmax(step.logits[:, -1].double(), dim=-1)
            out[:, t] = torch.multinomial(probs, 1, generator=gen)[:, 0]
            if t + 1 < length:
                step = model(input_ids=out[:, t:t + 1], past_key_values=step.past_key_values, use_cache=True)
    return out.numpy()


def _parts_dir(model: str, params: dict):
    from .models import cache_dir

    key = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:12]
    return cache_dir() / "samples" / f"{model}-{key}"


def generate(model_name: str, n: int = 16, length: int = 4097, seed: int = 0, batch: int = 4, progress=True,
             out=None, loaded=None):
    """Sample ``n`` segments of ``length`` tokens from ``model_name`` and store them with provenance.

    Batches of ``batch`` segments are written to the cache as they finish, so a killed run resumes where it
    stopped; the data file is written once, atomically, when every batch exists.

    Parameters
    ----------
    out : path or None
        The data file (default :func:`samples_path`).
    loaded : (model, tokenizer) or None
        An already loaded model (tests); default :func:`lib.kv.load_model`.

    Returns
    -------
    pathlib.Path
    """
    from tqdm.auto import tqdm

    from .models import MODELS, load_model

    if loaded is None and model_name not in MODELS:
        raise ValueError(f"unknown `model` {model_name!r}: use one of {sorted(MODELS)}")
    n, batch = checks.count(n, "n"), checks.count(batch, "batch")
    model, tokenizer = loaded if loaded is not None else load_model(model_name)
    prompt = _prompt(tokenizer)
    params = {"n": n, "length": checks.count(length, "length", 2), "seed": checks.count(seed, "seed", 0),
              "batch": batch, "prompt": prompt}
    wdir = _parts_dir(model_name, params)
    ids = []
    for b in tqdm(range(-(-n // batch)), desc=f"sampling {model_name}", disable=not progress):
        part = wdir / f"batch{b:03d}.json"
        if not part.exists():
            rows = sample_ids(model, prompt, min(batch, n - b * batch), length, seed * 1000 + b)
            atomic_write(part, json.dumps(rows.tolist()).encode())
        ids.extend(json.loads(part.read_text()))
    special = set(tokenizer.all_special_ids)
    segments = [{"index": i, "ids": row, "text": tokenizer.decode(row),
                 "special_tokens_sampled": sum(int(x) in special for x in row[len(prompt):])}
                for i, row in enumerate(ids)]
    meta = house.provenance(packages=("torch", "transformers"), model=model_name, sampling=dict(
        params, prompt_text=tokenizer.decode(prompt), temperature=1.0, top_k=None, top_p=None,
        method="ancestral sampling through the model's KV cache; float64 softmax of float32 logits; "
               "torch.multinomial, generator seeded seed*1000 + batch index; special tokens kept"))
    return house.write_record(out if out is not None else samples_path(model_name), {"segments": segments},
                              meta, compact=True)


def _record(model: str, path=None):
    path = samples_path(model) if path is None else path
    if not path.exists():
        raise ValueError(f"no sampled text for `model` {model!r} at {path}; generate it with: "
                         f"python -m lib.kv sample --model {model}")
    return house.read_record(path)


def samples_meta(model: str, path=None) -> dict:
    """The corpus provenance of the sampled segments (for the data file of ``--protocol sampled``)."""
    meta, payload = _record(model, path)
    return {"name": f"text sampled from {model}", "file": str(samples_path(model).relative_to(house.ROOT))
            if path is None else str(path), "sampled": meta["sampling"], "date": meta["date"],
            "licence": "model output", "n_available": len(payload["segments"])}


def load_segments(model: str, n: int, length: int, path=None) -> list:
    """The first ``n`` stored samples, each cut to its first ``length`` tokens (prompt included)."""
    from .corpus import Segment

    _, payload = _record(model, path)
    segs = payload["segments"]
    if len(segs) < n:
        raise ValueError(f"{len(segs)} sampled segments are stored for {model!r}, fewer than `segments`={n}; "
                         f"generate more with: python -m lib.kv sample --model {model} --n {n}")
    short = [s["index"] for s in segs[:n] if len(s["ids"]) < length]
    if short:
        raise ValueError(f"sampled segments {short} are shorter than the `length` {length} the plan needs; "
                         f"regenerate with: python -m lib.kv sample --model {model} --length {length}")
    return [Segment(i, f"sample {s['index']}", np.asarray(s["ids"][:length], dtype=np.int64))
            for i, s in enumerate(segs[:n])]
