"""kvpress presses and KIVI-quantised caches, measured by one-shot compression after an exact prefill.

**What Δ means here (one-shot compression).** The context ``x_0 … x_{t0-1}`` (Gemma: after its BOS) is
prefilled exactly, the prefill's cache is compressed *once* (a press keeps ``w`` entries per layer and KV
head, each head its own; a quantiser rounds every entry to ``b`` bits), and the next ``K`` tokens
``x_{t0} … x_{t0+K-1}`` are read through the compressed cache in one chunk (their own entries are kept
exactly). The targets are ``t = t0+1 … t0+K``: the prediction of ``x_t``. The reference is the same read
through the uncompressed cache. Per target we record ``KL(p_full ‖ p_comp)`` and the excess log-loss of the
real next token, ``nll_excess = −log p_comp(x_t) + log p_full(x_t)``. This is neither re-encoding (the kept
entries were computed from the whole context) nor rolling eviction (nothing is evicted while reading).

**One prefill for every press.** A press never changes the prefill, so a forward hook on every attention
layer calls each press's ``score`` on the prefill's keys, values and attention weights and keeps the top-w
indices for every budget; the compressed caches are then assembled and read one after another.

Presses (``PRESSES``): kvpress 0.5.5's StreamingLLM (4 sinks), SnapKV and PyramidKV (observation window 16,
pooling kernel 5; PyramidKV β = 2 so that its per-layer budgets actually vary at these budgets), TOVA,
ObservedAttention (≈ H2O), ExpectedAttention, Knorm and Random (``seed`` = segment index; kvpress reseeds at
every layer), plus ``window`` (the last w entries: the sliding window, compressed once). The prefill runs
with eager attention (ObservedAttention needs the weights), the reads with sdpa (PyramidKV's, whose layers
keep different numbers of entries, with each layer's own causal mask: :func:`read_logp`).
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

__all__ = ["PressSpec", "PRESSES", "make_press", "Prefill", "prefill", "read_logp", "read_kl", "keep_indices",
           "compressed_layers", "quantised_layers"]


@dataclass(frozen=True)
class PressSpec:
    """One cache-compression rule: ``name``, ``label``, the kvpress class (None: the book's own) and options."""

    name: str
    label: str
    cls: str | None
    options: tuple = ()
    budget_scored: bool = False  # its kvpress score() depends on the compression ratio


PRESSES = {p.name: p for p in [
    PressSpec("window", "sliding window (one-shot)", None),
    PressSpec("streaming_llm", "StreamingLLM", "StreamingLLMPress", (("n_sink", 4),), budget_scored=True),
    PressSpec("snapkv", "SnapKV", "SnapKVPress", (("window_size", 16), ("kernel_size", 5))),
    PressSpec("pyramidkv", "PyramidKV", "PyramidKVPress", (("window_size", 16), ("kernel_size", 5), ("beta", 2))),
    PressSpec("tova", "TOVA", "TOVAPress"),
    PressSpec("observed_attention", "ObservedAttention (≈ H2O)", "ObservedAttentionPress"),
    PressSpec("expected_attention", "ExpectedAttention", "ExpectedAttentionPress"),
    PressSpec("knorm", "Knorm", "KnormPress"),
    PressSpec("random", "Random", "RandomPress"),
]}


def make_press(name: str, seed: int = 0):
    """The kvpress object of press ``name`` (None for the book's ``window``)."""
    if name not in PRESSES:
        raise ValueError(f"unknown press `name` {name!r}: use one of {sorted(PRESSES)}")
    spec = PRESSES[name]
    if spec.cls is None:
        return None
    import kvpress

    options = dict(spec.options, **({"seed": int(seed)} if name == "random" else {}))
    return getattr(kvpress, spec.cls)(**options)


def _ratio(w: int, k_len: int) -> float:
    # kvpress keeps int(k_len * (1 - ratio)) entries; the half makes that exactly w despite rounding
    return 1.0 - (w + 0.5) / k_len


@dataclass
class Prefill:
    """The exact prefill of one context: every layer's keys and values and each press's kept indices."""

    keys: list
    values: list
    keep: dict  # (press, w) -> list over layers of LongTensor [1, H, w_l]
    n_past: int  # positions in the prefill (BOS included)


def _layer_rotary(model, module):
    """The rotary embedding a press should use for ``module``: the model's one (Llama), or for Gemma 3 a
    module that calls it with this layer's own type (local or global), which kvpress's call omits."""
    import torch

    rotary = model.model.rotary_emb
    types = getattr(model.config, "layer_types", None)
    if types is None or not hasattr(rotary, f"{types[module.layer_idx]}_inv_freq"):
        return rotary

    class LayerRotary(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.inner, self.layer_type = rotary, types[module.layer_idx]

        def forward(self, x, position_ids):
            return self.inner(x, position_ids, layer_type=self.layer_type)

    return LayerRotary()


def _score_hook(presses, budgets, keep, saved):
    def hook(module, args, kwargs, output):
        import torch

        layer = module.layer_idx
        cache = kwargs["past_key_values"]
        keys, values = cache.layers[layer].keys, cache.layers[layer].values
        saved[layer] = (keys.clone(), values.clone())
        k_len = keys.shape[2]
        with torch.no_grad():
            for name, press in presses.items():
                scores = None
                for w in budgets:
                    if press is None:  # the sliding window: the last w positions
                        idx = torch.arange(k_len - w, k_len).expand(keys.shape[0], keys.shape[1], w)
                        keep[(name, w)][layer] = idx
                        continue
                    press.compression_ratio = _ratio(w, k_len)
                    if scores is None or PRESSES[name].budget_scored:
                        scores = press.score(module, kwargs["hidden_states"], keys, values, output[1], kwargs)
                    n = press.get_layer_budget(module, k_len) if hasattr(press, "get_layer_budget") else w
                    keep[(name, w)][layer] = scores.topk(int(n), dim=-1).indices.sort(dim=-1).values
        return output
    return hook


def prefill(model, context_ids, presses, budgets) -> Prefill:
    """Prefill ``context_ids`` exactly (eager attention) and score every press at every budget.

    Parameters
    ----------
    model : transformers model
    context_ids : sequence of int
        The prefill, BOS included if the model uses one.
    presses : dict
        press name -> kvpress object (None for ``window``), e.g. from :func:`make_press`.
    budgets : sequence of int
        Entries kept per layer and KV head; each must be below ``len(context_ids)``.

    Returns
    -------
    Prefill
    """
    import torch

    n_past = len(context_ids)
    bad = [w for w in budgets if not 0 < w < n_past]
    if bad:
        raise ValueError(f"every budget in `budgets` must lie in (0, {n_past}), the prefill length; got {bad}")
    local = getattr(model.config, "sliding_window", None)
    if local is not None and "sliding_attention" in (getattr(model.config, "layer_types", None) or ()) \
            and n_past >= local:
        raise ValueError(f"the prefill ({n_past} positions) must be shorter than the model's local attention "
                         f"window ({local}): its local layers would have dropped entries before any press; "
                         "use a shorter `t0`")
    layers = model.model.layers
    keep = {(name, w): [None] * len(layers) for name in presses for w in budgets}
    saved = [None] * len(layers)
    for press in presses.values():
        if press is not None:
            press.post_init_from_model(model)
    hooks = []
    try:
        for layer in layers:
            layer.self_attn.rotary_emb = _layer_rotary(model, layer.self_attn)
            hooks.append(layer.self_attn.register_forward_hook(_score_hook(presses, budgets, keep, saved),
                                                               with_kwargs=True))
        model.set_attn_implementation("eager")
        ids = torch.as_tensor(np.asarray(context_ids, dtype=np.int64))[None]
        with torch.no_grad():
            model(ids, attention_mask=torch.ones_like(ids), use_cache=True, logits_to_keep=1)
    finally:
        for h in hooks:
            h.remove()
        model.set_attn_implementation("sdpa")
    return Prefill([k for k, _ in saved], [v for _, v in saved], keep, n_past)


def keep_indices(pre: Prefill, press: str, w: int) -> list:
    """The kept positions of ``press`` at budget ``w``: one LongTensor [batch, heads, w_l] per layer."""
    return pre.keep[(press, w)]


def compressed_layers(pre: Prefill, press: str | None, w: int | None):
    """Per-layer ``(keys, values)`` kept by ``press`` at budget ``w`` (None: the whole prefill)."""
    if press is None:
        return list(zip(pre.keys, pre.values))
    out = []
    for k, v, idx in zip(pre.keys, pre.values, keep_indices(pre, press, w)):
        gather = idx.unsqueeze(-1).expand(-1, -1, -1, k.shape[-1])
        out.append((k.gather(2, gather), v.gather(2, gather)))
    return out


def quantised_layers(layers, bits: int, group: int):
    """``layers`` with keys quantised per channel and values per token (:func:`lib.kv.quantise.fake_quantise`)."""
    from .quantise import fake_quantise

    return [(fake_quantise(k, bits, group, "channel"), fake_quantise(v, bits, group, "token")) for k, v in layers]


def _stacked(caches):
    """One batched cache from caches whose layers have equal lengths, or None if any lengths differ."""
    import torch

    lengths = {k.shape[2] for layers in caches for k, _ in layers}
    if len(lengths) != 1:
        return None, None
    layers = [(torch.cat([c[i][0] for c in caches]), torch.cat([c[i][1] for c in caches]))
              for i in range(len(caches[0]))]
    return layers, lengths.pop()


@contextmanager
def _own_causal_masks():
    """While active, sdpa attention ignores the model's mask and gives each layer its own causal one.

    A chunk of ``q`` tokens read after a cache whose layers keep different numbers of entries (PyramidKV)
    sees, in a layer holding ``k`` keys (cache + chunk), every cached key and the chunk's keys up to its own:
    query ``i`` attends to key ``j`` iff ``j <= i + k - q`` (a causal mask aligned at the bottom right). The
    model's own mask is built from the first layer's length only, so it is wrong for the others.
    """
    import torch
    from transformers.modeling_utils import ALL_ATTENTION_FUNCTIONS as functions  # what the models look up

    local = "sdpa" in functions._local_mapping  # kvpress's import wraps every function there
    sdpa = functions["sdpa"]

    def forward(module, query, key, value, attention_mask, **kwargs):
        q, k = query.shape[2], key.shape[2]
        kwargs.pop("is_causal", None)
        mask = torch.ones(q, k, dtype=torch.bool).tril(k - q)[None, None]
        return sdpa(module, query, key, value, mask, **kwargs)

    functions["sdpa"] = forward
    try:
        yield
    finally:
        if local:
            functions["sdpa"] = sdpa
        else:
            del functions["sdpa"]


def read_logp(model, caches, chunk, n_past):
    """Log-probabilities (float64, [len(caches), K, vocab]) after each token of ``chunk`` read through each cache.

    Caches whose layers all have one length are read together as a batch in one pass; otherwise (PyramidKV's
    per-layer budgets) each is read in one pass of its own, with each layer's own causal mask
    (:func:`_own_causal_masks`; equal to reading the chunk one token at a time, which needs no mask).
    """
    import torch
    from transformers import DynamicCache

    ids = torch.as_tensor(np.asarray(chunk, dtype=np.int64))[None]
    pos = torch.arange(n_past, n_past + ids.shape[1])[None]
    layers, length = _stacked(caches)
    with torch.no_grad():
        if layers is not None:
            batch = len(caches)
            mask = torch.ones(batch, length + ids.shape[1], dtype=torch.long)
            logits = model(ids.expand(batch, -1), past_key_values=DynamicCache(layers),
                           position_ids=pos.expand(batch, -1), attention_mask=mask).logits
        else:
            with _own_causal_masks():
                logits = torch.cat([model(ids, past_key_values=DynamicCache(list(c)), position_ids=pos).logits
                                    for c in caches])
    return torch.log_softmax(logits.double(), dim=-1)


def read_kl(model, caches, chunk, n_past, reference, targets):
    """KL(reference ‖ read) and the excess log-loss of the real next tokens, per cache and target.

    Parameters
    ----------
    caches : list of lists of (keys, values)
        The (compressed) caches, one list of per-layer tensors each.
    chunk : sequence of int
        The ``K`` tokens read after the prefill.
    n_past : int
        The prefill's length (the position of ``chunk[0]``).
    reference : torch.Tensor [K, vocab]
        Log-probabilities read through the uncompressed cache (:func:`read_logp` of the whole prefill).
    targets : sequence of int
        The real next tokens ``chunk[1:] + [next]``.

    Returns
    -------
    kl, nll_excess : ndarray [len(caches), K]
        ``Σ_x p(x)(log p(x) − log q(x))`` and ``log p(x_t) − log q(x_t)``.
    """
    import torch

    logq = read_logp(model, caches, chunk, n_past)
    p = reference.exp()
    kl = (p * (reference - logq)).sum(-1)
    idx = torch.as_tensor(np.asarray(targets, dtype=np.int64))
    rows = torch.arange(len(idx))
    excess = reference[rows, idx] - logq[:, rows, idx]
    return kl.clamp_min(0).numpy(), excess.numpy()
