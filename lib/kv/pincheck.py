"""Do two environments read the converted models alike? (``python -m lib.kv pincheck dump|compare``)

The book converts the GGUF weights under transformers 5.23.0; kvpress runs under transformers 5.2.0
(``.venv-kvpress``). ``dump`` writes, under the running environment, the token ids and the next-token
log-probabilities of the last ``positions`` positions of ``n_segments`` corpus segments for every installed
model; ``compare`` checks two dumps for identical token ids and reports ``max |Δ log p|`` per model, stored
with provenance in ``book/data/kv/pincheck.json`` (``make pincheck`` runs all three steps).
"""
from __future__ import annotations

import importlib.metadata

import numpy as np

from lib import store

__all__ = ["dump", "compare", "stored"]


def dump(path, models=None, n_segments: int = 2, length: int = 512, positions: int = 64):
    """Write ids and float64 log-probs of the last ``positions`` positions of each segment to ``path`` (.npz)."""
    import torch

    from .corpus import segments
    from .models import MODELS, bos_id, load_model

    out = {"transformers": np.array(importlib.metadata.version("transformers"))}
    for name in models or sorted(MODELS):
        try:
            model, tok = load_model(name)
        except ValueError as err:
            if "not installed" in str(err):
                continue  # an opt-in model that this environment lacks
            raise
        bos = bos_id(tok)
        for seg in segments(tok, n_segments, length=length):
            ids = ([bos] if bos is not None else []) + seg.ids.tolist()
            x = torch.tensor(ids)[None]
            with torch.no_grad():
                logits = model(x, attention_mask=torch.ones_like(x), logits_to_keep=positions).logits[0]
            out[f"{name}/ids{seg.index}"] = np.asarray(ids)
            out[f"{name}/logp{seg.index}"] = torch.log_softmax(logits.double(), -1).numpy()
    store.atomic_write(path, _npz_bytes(out))
    return path


def _npz_bytes(arrays) -> bytes:
    import io

    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def compare(path_a, path_b, data_dir=None):
    """Compare two dumps; store and return ``{model: {"ids_equal", "max_abs_dlogp", "n_values"}}``.

    Raises
    ------
    ValueError
        If the dumps hold different models or segments.
    """
    a, b = np.load(path_a), np.load(path_b)
    keys = sorted(k for k in a.files if "/" in k)
    if keys != sorted(k for k in b.files if "/" in k):
        raise ValueError(f"{path_a} and {path_b} hold different models or segments; dump both with the same options")
    result = {}
    for model in sorted({k.split("/")[0] for k in keys}):
        ids = [k for k in keys if k.startswith(model + "/ids")]
        lps = [k for k in keys if k.startswith(model + "/logp")]
        same = all(a[k].shape == b[k].shape and np.array_equal(a[k], b[k]) for k in ids)
        diff = max(float(np.max(np.abs(a[k] - b[k]))) for k in lps) if same else float("nan")
        result[model] = {"ids_equal": bool(same), "max_abs_dlogp": diff,
                         "n_values": int(sum(a[k].size for k in lps)), "segments": len(ids),
                         "positions": int(a[lps[0]].shape[0])}
    folder = store.DATA_DIR / "kv" if data_dir is None else data_dir
    meta = store.provenance(packages=("torch", "transformers"),
                            environments={"a": str(a["transformers"]), "b": str(b["transformers"])},
                            what="next-token log-probs (float64 log_softmax of fp32 logits) of the book's "
                                 "converted models read under two transformers releases")
    store.write_record(folder / "pincheck.json", {"models": result}, meta)
    return result


def stored(data_dir=None) -> tuple[list, dict]:
    """The stored comparison: one row per model ``[model, ids equal, max |Δ log p|, values, segments × positions]``
    and its provenance (the two transformers releases under ``environments``, the date and commit)."""
    folder = store.DATA_DIR / "kv" if data_dir is None else data_dir
    meta, payload = store.read_record(folder / "pincheck.json")
    rows = [[model, "yes" if r["ids_equal"] else "no", r["max_abs_dlogp"], r["n_values"],
             f"{r['segments']} × {r['positions']}"] for model, r in sorted(payload["models"].items())]
    return rows, meta
