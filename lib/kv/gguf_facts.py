"""What a GGUF file says about itself: its SHA-256 and the metadata that identify a model (``gguf`` package).

Used to judge a model file of unclear origin before it is allowed into the book (issue 11, item 5). GGUF
metadata are written by whoever made the file: they state a claim (name, architecture, quantisation); only
the checksum pins the bytes.

>>> [k for k in IDENTITY if "license" in k or "base_model" in k]
['general.license', 'general.base_model.count', 'general.base_model.0.name', 'general.base_model.0.repo_url']
"""
from __future__ import annotations

import collections
from pathlib import Path

__all__ = ["IDENTITY", "gguf_facts"]

#: Metadata keys that identify a model and its origin (llama.cpp's converter writes them from the model card).
IDENTITY = ("general.name", "general.basename", "general.finetune", "general.size_label", "general.type",
            "general.architecture", "general.license", "general.author", "general.organization",
            "general.source.url", "general.source.huggingface.repository", "general.base_model.count",
            "general.base_model.0.name", "general.base_model.0.repo_url", "general.file_type",
            "general.quantization_version")


def _value(field):
    value = field.contents()
    return value if not isinstance(value, list) or len(value) <= 8 else f"<list of {len(value)}>"


def gguf_facts(path) -> dict:
    """SHA-256, identity metadata (None where absent), architecture hyperparameters and tensor types of a GGUF.

    Parameters
    ----------
    path : path-like
        A GGUF file.

    Returns
    -------
    dict
        ``sha256``, ``bytes``, ``identity`` (every key of ``IDENTITY``), ``architecture`` (the
        ``<arch>.*`` keys), ``tensor_types`` (count per quantisation type), ``n_tensors``, ``n_elements``.
    """
    from gguf import GGUFReader

    from .models import _sha256

    path = Path(path)
    if not path.is_file():
        raise ValueError(f"`path` {str(path)!r} is not a file")
    reader = GGUFReader(str(path))
    fields = reader.fields
    identity = {k: (_value(fields[k]) if k in fields else None) for k in IDENTITY}
    arch = identity["general.architecture"]
    hyper = {k: _value(f) for k, f in fields.items() if arch and k.startswith(f"{arch}.")}
    types = collections.Counter(t.tensor_type.name for t in reader.tensors)
    return {"sha256": _sha256(path), "bytes": path.stat().st_size, "identity": identity, "architecture": hyper,
            "tensor_types": dict(types), "n_tensors": len(reader.tensors),
            "n_elements": int(sum(int(t.n_elements) for t in reader.tensors))}
