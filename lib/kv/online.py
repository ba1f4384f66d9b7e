"""Cache policies measured as they run: StreamingLLM, sink-plus-window eviction and H2O, step by step.

``rolling_kl`` decodes the text token by token with a real KV cache whose entries are never recomputed; at
every step a mask shows the query only the entries its policy keeps:

- ``"sink"``: the ``sink`` first entries and the last ``w - sink``, at their *original* positions
  (what :func:`lib.kv.truncation.eviction_kl` computes in one banded pass);
- ``"streaming_llm"``: the same entries with positions assigned *within the cache* (StreamingLLM): the query
  sits at slot ``w - 1`` and the sinks at ``0 .. sink - 1``. RoPE scores depend only on position differences,
  so this equals keeping every key at its original position except the sinks (and BOS), whose keys are
  re-rotated by ``delta = i - w + 1`` at query ``i``: ``R(delta) k`` with ``R`` the model's own rotary map;
- ``"h2o"``: H2O's online keep-set (:class:`lib.kv.policies.H2OState`), scored with the attention that this
  evicting cache itself receives (summed over layers and heads).

``h2o_kl`` is H2O with recompute: at every step the kept tokens are re-encoded at cache positions
``0 .. w - 1`` (one pass of ``w`` tokens), and that pass's attention updates the scores. It cannot share
passes across steps or targets, so it costs about ``sum_w w (T - w)`` tokens for targets up to ``T``.

Every function returns ``KL(p(. | x_{<t}) || p(. | cache))`` in nats at the requested targets.
"""
from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from .policies import H2OPolicy, SinkRecentPolicy
from .truncation import _as_ids, _hidden, _kl_rows, _local_window, _masks, _reference, _targets, _windows

__all__ = ["rolling_kl", "h2o_kl", "rerotate"]

_ROLLING = ("sink", "streaming_llm", "h2o")


def _torch():
    import torch
    return torch


def _layers(model):
    return list(model.base_model.layers)


@contextmanager
def _attention(model, record: bool):
    """Run with eager attention and collect each layer's attention of the *last* query, summed over heads."""
    if not record:
        yield None
        return
    saved = model.config._attn_implementation
    model.set_attn_implementation("eager")
    rows, hooks = [], []

    def hook(_module, _args, output):
        rows.append(output[1].sum(1))  # [batch, queries, keys]

    try:
        hooks = [layer.self_attn.register_forward_hook(hook) for layer in _layers(model)]
        yield rows
    finally:
        for h in hooks:
            h.remove()
        model.set_attn_implementation(saved)


def _summed(rows) -> "object":
    """Attention summed over layers (and heads): ``[batch, queries, keys]``; empties the recorder."""
    out = sum(rows[1:], rows[0]).double()
    rows.clear()
    return out


def rerotate(model, layer_idx: int, keys, delta):
    """Keys rotated at position ``p`` moved to ``p + delta`` (per batch row): ``R(delta) k`` of RoPE.

    Parameters
    ----------
    keys : torch.Tensor, shape [batch, heads, n, head_dim]
        Keys already rotated by the model at their positions.
    delta : 1-D integer array, shape [batch]

    Returns
    -------
    torch.Tensor
        ``k cos(delta theta) + rotate_half(k) sin(delta theta)``, the model's own frequencies per layer type.
    """
    torch = _torch()
    from transformers.models.llama.modeling_llama import rotate_half

    rope = model.base_model.rotary_emb
    per_type = isinstance(getattr(rope, "rope_type", None), dict)  # Gemma 3: one RoPE per layer type
    args = (model.config.layer_types[layer_idx],) if per_type else ()
    scale = getattr(rope, f"{args[0]}_attention_scaling" if args else "attention_scaling", 1.0)
    if scale != 1.0:
        raise ValueError("re-rotation needs a RoPE without attention scaling; this model scales its cos/sin")
    pos = torch.as_tensor(np.asarray(delta, dtype=np.int64))[:, None]
    cos, sin = rope(keys, pos, *args)
    cos, sin = cos[:, None].to(keys.dtype), sin[:, None].to(keys.dtype)
    return keys * cos + rotate_half(keys) * sin


def _mask_rows(model, allowed, key_pos, q_pos):
    """Additive masks for one query per row: ``allowed`` [B, n] (bool), key positions [B, n], query [B]."""
    torch = _torch()
    dtype = next(iter(model.parameters())).dtype

    def additive(ok):
        return torch.zeros(ok.shape, dtype=dtype).masked_fill(~ok, torch.finfo(dtype).min)[:, None, None, :]

    ok = torch.as_tensor(allowed)
    window = _local_window(model)
    if window is None:
        return additive(ok)
    local = ok & torch.as_tensor((q_pos[:, None] - key_pos) < window)
    return {"full_attention": additive(ok), "sliding_attention": additive(local)}


def _step(model, token, pos, cache, mask):
    torch = _torch()
    b = mask["full_attention"].shape[0] if isinstance(mask, dict) else mask.shape[0]
    with torch.inference_mode():
        out = model.base_model(input_ids=torch.full((b, 1), int(token)), position_ids=torch.as_tensor(pos)[:, None],
                               attention_mask=mask, past_key_values=cache, use_cache=True)
    return out.last_hidden_state[:, 0].float()


def _allowed(w, states, sink, nb, i):
    """Which cache slots (BOS, then tokens ``0 .. i``) query ``i`` sees in each row: ``[len(w), nb + i + 1]``."""
    allowed = np.zeros((len(w), nb + i + 1), dtype=bool)
    allowed[:, :nb] = True
    for b, wj in enumerate(w):
        if states:
            allowed[b, nb + states[b].context()] = True
        else:
            allowed[b, nb:nb + sink] = True
            allowed[b, nb + max(0, i - int(wj) + sink + 1):] = True
    return allowed


def _check_policy(policy, w, sink):
    if policy not in _ROLLING:
        raise ValueError(f"unknown `policy` {policy!r} for rolling_kl: use one of {list(_ROLLING)}")
    if policy != "h2o":
        for wj in w:
            SinkRecentPolicy(sink=sink).check_budget(int(wj))


def rolling_kl(model, ids, windows, *, policy="streaming_llm", positions=None, sink=4, recent=0.5,
               recompute=False, bos=None, reference=None):
    """KL between the full-context law and a KV cache that evicts without recompute, decoded step by step.

    Parameters
    ----------
    model, ids, windows, bos, reference
        As in :func:`lib.kv.truncation_kl`; all windows run together, one batch row each.
    policy : {"streaming_llm", "sink", "h2o"}
        StreamingLLM (positions in the cache), sink-plus-window eviction at original positions, or H2O.
    positions : 1-D integer array
        Targets ``t`` in [1, len(ids)]: the text is decoded up to ``max(positions) - 1``.
    sink : int
        Sinks of ``"sink"`` and ``"streaming_llm"`` (counted inside the budget).
    recent : float
        H2O's share of the budget for the recent window.
    recompute : bool
        H2O only. False: predict from the evicting cache. True: the keep-sets chosen by that cache are
        re-encoded for each target (positions ``0 .. w - 1``, one pass per target and window), so that
        eviction and re-encoding are compared on the same kept tokens.

    Returns
    -------
    numpy.ndarray, shape [len(positions), len(windows)]
        ``KL(p(. | x_{<t}) || p(. | cache_t))`` in nats; without ``recompute`` every token's keys and values
        are computed once.
    """
    torch = _torch()
    from transformers import DynamicCache

    ids = _as_ids(ids)
    w = _windows(windows, model, len(ids))
    _check_policy(policy, w, sink)
    if recompute and policy != "h2o":
        raise ValueError("`recompute` applies to policy='h2o' only; re-encoded sink-plus-recent is "
                         "lib.kv.truncation_kl(policy='sink')")
    targets = _targets(np.asarray(positions), len(ids), 1)[:, 0]
    ref = _reference(model, ids, bos, reference)
    nb, B, T = ref.offset, len(w), int(targets.max())
    seq = np.concatenate([[ref.bos], ids[:T]]) if nb else ids[:T]
    states = [H2OPolicy(recent=recent).online(int(wj)) for wj in w] if policy == "h2o" else None
    hidden = torch.zeros(B, T + nb, ref.hidden.shape[-1])
    kept = {}  # (query, row) -> H2O context, for the re-encoded read-out
    want = set((targets - 1).tolist())
    cache = DynamicCache()
    p0 = nb + int(w.min())  # queries before p0 see everything in every row: one causal chunk
    with _attention(model, policy == "h2o") as rec:
        chunk = torch.as_tensor(seq[:p0])[None].expand(B, -1)
        mask = _masks(model, torch.arange(p0)[None].expand(B, -1), [p0] * B)
        with torch.inference_mode():
            out = model.base_model(input_ids=chunk, position_ids=torch.arange(p0)[None].expand(B, -1),
                                   attention_mask=mask, past_key_values=cache, use_cache=True)
        hidden[:, :p0] = out.last_hidden_state.float()
        if states:
            att = _summed(rec)
            for q in range(nb, p0):
                for b, st in enumerate(states):
                    st.update(att[b, q, nb + st.context()].numpy())
        fixed = [layer.keys[:, :, :nb + sink].clone() for layer in cache.layers]
        for q in range(p0, T + nb):
            i = q - nb
            allowed = _allowed(w, states, sink, nb, i)
            if recompute and i in want:
                kept.update({(i, b): st.context() for b, st in enumerate(states)})
            key_pos = np.tile(np.arange(q + 1), (B, 1))
            delta = np.maximum(0, i - w + 1)
            if policy == "streaming_llm":
                key_pos[:, :nb + sink] += delta[:, None]
                with torch.inference_mode():
                    for layer_idx, layer in enumerate(cache.layers):
                        layer.keys[:, :, :nb + sink] = rerotate(model, layer_idx, fixed[layer_idx], delta)
            mask = _mask_rows(model, allowed, key_pos, np.full(B, q))
            hidden[:, q] = _step(model, seq[q], np.full(B, q), cache, mask)
            if states:
                att = _summed(rec)[:, 0]
                for b, st in enumerate(states):
                    st.update(att[b, nb + st.context()].numpy())
    if kept:
        _reencode(model, ids, ref, kept, hidden)
    out = np.empty((len(targets), B))
    for b in range(B):
        out[:, b] = _kl_rows(model, ref.rows(targets), hidden[b, targets - 1 + nb])
    return out


def _reencode(model, ids, ref, kept, hidden):
    """Overwrite ``hidden[row, query]`` with a fresh pass over the kept tokens at positions ``0 .. n - 1``."""
    nb = ref.offset
    keys = list(kept)
    seqs = [np.concatenate([[ref.bos], ids[kept[k]]]) if nb else ids[kept[k]] for k in keys]
    out = _hidden(model, seqs, [np.arange(len(s)) for s in seqs], [[len(s) - 1] for s in seqs])
    for (i, b), h in zip(keys, out):
        hidden[b, i + nb] = h[0]


def h2o_kl(model, ids, windows, *, positions=None, recent=0.5, position_preserving=False, bos=None,
           reference=None):
    """KL between the full-context law and H2O with recompute: the online keep-set, re-encoded every step.

    At query ``i`` the kept tokens ``C_i`` (:class:`lib.kv.policies.H2OState`, at most ``w``) are encoded
    afresh at positions ``0 .. |C_i| - 1`` (BOS before them); the pass predicts ``x_{i+1}`` and its attention
    of the last query, summed over layers and heads, updates the scores. While ``i < w`` nothing is evicted
    and the full-context pass serves both.

    Parameters
    ----------
    model, ids, windows, positions, recent, bos, reference
        As in :func:`rolling_kl`.
    position_preserving : bool
        True: the kept tokens keep their original positions (an ablation; for a one-layer model this equals
        ``rolling_kl(policy="h2o")``).

    Returns
    -------
    numpy.ndarray, shape [len(positions), len(windows)]
    """
    torch = _torch()
    ids = _as_ids(ids)
    w = _windows(windows, model, len(ids))
    targets = _targets(np.asarray(positions), len(ids), 1)[:, 0]
    ref = _reference(model, ids, bos, reference)
    nb, T = ref.offset, int(targets.max())
    seq = np.concatenate([[ref.bos], ids[:T]]) if nb else ids[:T]
    want = set((targets - 1).tolist())
    out = np.empty((len(targets), len(w)))
    with _attention(model, True) as rec:
        with torch.inference_mode():
            model.base_model(input_ids=torch.as_tensor(seq)[None], attention_mask=_masks(
                model, torch.arange(len(seq))[None], [len(seq)]), position_ids=torch.arange(len(seq))[None])
        full = _summed(rec)[0]
        for col, wj in enumerate(w):
            st = H2OPolicy(recent=recent).online(int(wj))
            hidden = {}
            for i in range(T):
                ctx = st.context()
                if i < wj:
                    st.update(full[nb + i, nb + ctx].numpy())
                    if i in want:
                        hidden[i] = ref.hidden[nb + i]
                    continue
                tokens = np.concatenate([seq[:nb], ids[ctx]])
                pos = torch.as_tensor(np.concatenate([np.arange(nb), nb + ctx]) if position_preserving
                                      else np.arange(len(tokens)))[None]
                with torch.inference_mode():
                    h = model.base_model(input_ids=torch.as_tensor(tokens)[None], position_ids=pos,
                                         attention_mask=_masks(model, pos, [len(tokens)])).last_hidden_state
                st.update(_summed(rec)[0, -1, nb:].numpy())
                if i in want:
                    hidden[i] = h[0, -1].float()
            out[:, col] = _kl_rows(model, ref.rows(targets), torch.stack([hidden[t - 1] for t in targets]))
    return out
