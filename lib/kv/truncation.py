"""Exact truncation sensitivity of a causal language model, and the different eviction estimand.

``truncation_kl`` re-encodes the retained tokens (a fresh forward pass on them alone) and returns
``KL(p(. | x_{<t}) || p(. | retained))`` in nats. Targets that share a fixed prefix and a start ``r``
(sliding, sink plus recent, block-Markov) are served by one pass: output ``k`` of a pass over
``x_r .. x_{r+n-1}`` is exactly the prediction from ``x_r .. x_{r+k}``. Random retention cannot share
passes; its contexts are batched by length.

``eviction_kl`` keeps the full-context cache and drops entries from it (a banded attention mask, no
recompute): retained keys in deeper layers still carry evicted tokens, so it is a different quantity.

Only the hidden states that predict a requested target go through the output head (what ``logits_to_keep``
does inside transformers), so no full-vocabulary logits are formed for other positions.

Every pass gets explicit position ids, and an explicit mask whenever the positions jump (transformers reads
jumps in position ids without a mask as packed sequences); passes with contiguous positions use the model's
own causal mask, which is then the same. Models with local (sliding-window) layers get their local mask built
in position space, so a kept BOS or sink at a far original position leaves the local window as it does in
the full-context pass.
"""
from __future__ import annotations

import numbers

import numpy as np

from .policies import Policy, make_policy, policy_class

__all__ = ["FullContext", "truncation_kl", "eviction_kl", "kl_from_logits"]

_CHUNK = 32


def _torch():
    import torch
    return torch


def _as_ids(ids) -> np.ndarray:
    arr = np.asarray(ids.cpu() if hasattr(ids, "cpu") else ids)
    if arr.ndim != 1 or arr.size == 0 or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"`ids` must be a non-empty 1-D sequence of token ids, got shape {arr.shape} "
                         f"and dtype {arr.dtype}")
    return arr.astype(np.int64)


def _context_limit(model) -> int:
    return int(getattr(model.config, "max_position_embeddings", 0) or 10**9)


def _windows(windows, model, n_ids: int) -> np.ndarray:
    w = np.atleast_1d(np.asarray(windows))
    if w.ndim != 1 or w.size == 0 or not np.issubdtype(w.dtype, np.integer):
        raise ValueError(f"`windows` must be a non-empty 1-D array of integers, got {windows!r}")
    if (w <= 0).any():
        raise ValueError(f"every window in `windows` must be >= 1, got {w.min()}")
    limit = _context_limit(model)
    if w.max() > limit:
        raise ValueError(f"window {w.max()} in `windows` exceeds the model's context of {limit} tokens")
    if w.max() > n_ids:
        raise ValueError(f"`ids` has {n_ids} tokens, shorter than the longest window {w.max()}; "
                         "use a longer text or smaller windows")
    return w.astype(np.int64)


def _targets(positions, n_ids: int, n_windows: int) -> np.ndarray:
    if positions is None:
        raise ValueError("`positions` is required: the targets t (1 <= t <= len(ids)) to evaluate")
    t = np.asarray(positions)
    if not np.issubdtype(t.dtype, np.integer) or t.ndim not in (1, 2) or t.size == 0:
        raise ValueError("`positions` must be a non-empty 1-D or 2-D array of integer targets")
    if t.ndim == 1:
        t = np.repeat(t[:, None], n_windows, axis=1)
    elif t.shape[1] != n_windows:
        raise ValueError(f"2-D `positions` must have one column per window ({n_windows}), got {t.shape}")
    if t.min() < 1 or t.max() > n_ids:
        raise ValueError(f"targets in `positions` must lie in [1, {n_ids}] (len(ids)), got "
                         f"[{t.min()}, {t.max()}]")
    return t.astype(np.int64)


def _local_window(model):
    types = getattr(model.config, "layer_types", None) or []
    return int(model.config.sliding_window) if "sliding_attention" in types else None


def _masks(model, pos, lengths, band=None, keep=0):
    """Additive 4-D masks: causal in sequence order, local layers windowed in position space."""
    torch = _torch()
    n = pos.shape[1]
    idx = torch.arange(n)
    allowed = (idx[:, None] >= idx[None, :])[None].expand(pos.shape[0], n, n)
    if band is not None:  # eviction: the last `band` entries plus `keep` leading ones
        allowed = allowed & (((idx[:, None] - idx[None, :]) < band) | (idx[None, :] < keep))[None]
    keys_valid = idx[None, :] < torch.as_tensor(lengths)[:, None]
    allowed = allowed & keys_valid[:, None, :]
    dtype = next(iter(model.parameters())).dtype

    def additive(ok):
        return torch.zeros(ok.shape, dtype=dtype).masked_fill(~ok, torch.finfo(dtype).min)[:, None]

    window = _local_window(model)
    if window is None:
        return additive(allowed)
    local = allowed & ((pos[:, :, None] - pos[:, None, :]) < window)
    return {"full_attention": additive(allowed), "sliding_attention": additive(local)}


def _hidden(model, seqs, positions, slots, band=None, keep=0, max_tokens=4096):
    """Final hidden states at ``slots`` for every sequence; sequences are batched by length."""
    torch = _torch()
    device = next(iter(model.parameters())).device
    order = np.argsort([len(s) for s in seqs], kind="stable")
    out = [None] * len(seqs)
    base = model.base_model
    i = 0
    while i < len(order):
        n = len(seqs[order[i]])
        j = i
        while j < len(order) and j - i < 64 and (j - i + 1) * len(seqs[order[j]]) <= max(max_tokens, n):
            j += 1
        batch = order[i:j]
        width = max(len(seqs[b]) for b in batch)
        ids = np.zeros((len(batch), width), dtype=np.int64)
        pos = np.zeros((len(batch), width), dtype=np.int64)
        for row, b in enumerate(batch):
            m = len(seqs[b])
            ids[row, :m] = seqs[b]
            pos[row, :m] = positions[b]
            pos[row, m:] = positions[b][-1] + 1 + np.arange(width - m)  # padding, never attended
        pos_t = torch.as_tensor(pos)
        if band is None and (np.diff(pos, axis=1) == 1).all():
            # Contiguous positions in every row (padding comes after the tokens and continues them): the
            # model's own causal mask (and local window, by sequence index = by position) is exactly ours,
            # and its causal attention kernel is faster than an explicit 4-D mask (about 1.3x at 2048 tokens).
            mask = None
        else:
            mask = _masks(model, pos_t, [len(seqs[b]) for b in batch], band, keep)
            mask = {k: v.to(device) for k, v in mask.items()} if isinstance(mask, dict) else mask.to(device)
        with torch.inference_mode():
            h = base(input_ids=torch.as_tensor(ids, device=device), attention_mask=mask,
                     position_ids=pos_t.to(device), use_cache=False).last_hidden_state
        for row, b in enumerate(batch):
            out[b] = h[row, torch.as_tensor(slots[b], device=device)].float().cpu()
        i = j
    return out


def _log_probs(model, hidden):
    """float64 log-softmax of the model's next-token logits for hidden-state rows."""
    torch = _torch()
    head = model.get_output_embeddings()
    with torch.inference_mode():
        logits = head(hidden.to(head.weight.device)).float()
        cap = getattr(model.config, "final_logit_softcapping", None)
        if cap:
            logits = torch.tanh(logits / cap) * cap
        return torch.log_softmax(logits.double(), dim=-1)


def kl_from_logits(logits_p, logits_q) -> np.ndarray:
    """Row-wise ``KL(softmax(logits_p) || softmax(logits_q))`` in nats, computed in float64.

    Notes
    -----
    ``KL(p || q) = sum_v p_v (log p_v - log q_v)`` with both log-laws from ``log_softmax`` in float64.
    """
    torch = _torch()
    lp = torch.log_softmax(torch.as_tensor(logits_p).double(), dim=-1)
    lq = torch.log_softmax(torch.as_tensor(logits_q).double(), dim=-1)
    return (lp.exp() * (lp - lq)).sum(-1).cpu().numpy()


def _kl_rows(model, h_full, h_trunc, tokens=None, chunk=_CHUNK):
    """KL per row from hidden states, the head applied ``chunk`` rows at a time (never every row at once).

    With ``tokens`` (the token that really follows each row) also the excess log-loss
    ``log p(x_t) - log q(x_t)`` per row: returns ``(kl, nll_excess)``.
    """
    torch = _torch()
    kl, nll = [], []
    for a in range(0, h_full.shape[0], chunk):
        lp = _log_probs(model, h_full[a:a + chunk])
        lq = _log_probs(model, h_trunc[a:a + chunk])
        kl.append((lp.exp() * (lp - lq)).sum(-1).clamp_min(0.0).cpu().numpy())
        if tokens is not None:
            tok = torch.as_tensor(np.asarray(tokens[a:a + chunk], dtype=np.int64))[:, None]
            nll.append((lp.gather(1, tok) - lq.gather(1, tok))[:, 0].cpu().numpy())
    kl = np.concatenate(kl) if kl else np.zeros(0)
    if tokens is None:
        return kl
    return kl, (np.concatenate(nll) if nll else np.zeros(0))


class FullContext:
    """The full-context pass over ``ids`` (one forward), reused by every policy and window.

    Parameters
    ----------
    model : transformers causal LM
    ids : 1-D integer array
        The token ids of the text, without BOS.
    bos : int or None
        A BOS token prepended (at position 0) to this and every truncated context; never counted.
    """

    def __init__(self, model, ids, bos=None):
        self.ids = _as_ids(ids)
        self.bos = None if bos is None else int(bos)
        nb = 0 if self.bos is None else 1
        seq = np.concatenate([[self.bos], self.ids]) if nb else self.ids
        self.hidden = _hidden(model, [seq], [np.arange(len(seq))], [np.arange(len(seq))])[0]
        self.offset = nb

    def rows(self, targets) -> "object":
        """Hidden states that predict the tokens at ``targets`` (each in [1, len(ids)])."""
        return self.hidden[np.asarray(targets) - 1 + self.offset]


def _reference(model, ids, bos, reference):
    if reference is None:
        return FullContext(model, ids, bos)
    if not isinstance(reference, FullContext) or not np.array_equal(reference.ids, ids) \
            or reference.bos != (None if bos is None else int(bos)):
        raise ValueError("`reference` must be a FullContext built from the same `ids` and `bos`")
    return reference


def _retained_hidden(model, ids, w, targets, pol, position_preserving, ref, max_tokens=4096):
    """Final hidden states of the retained-context passes: ``(rows, hidden)`` with rows ``(row, col, t)``.

    Pairs whose retained sets share ``(prefix, r)`` (:meth:`Policy.shared`) share one pass over
    ``prefix + x_r .. x_{max t - 1}``; the state predicting target ``t`` sits at ``len(prefix) + t - r - 1``.
    """
    torch = _torch()
    nb = ref.offset
    groups = {}
    for (row, col), t in np.ndenumerate(targets):
        key = pol.shared(int(t), int(w[col]))
        key = ("single", row, col) if key is None else key
        groups.setdefault(key, []).append((row, col, int(t)))
    seqs, poss, slots, rows = [], [], [], []
    for key, members in groups.items():
        if key[0] == "single":
            _, row, col = key
            ctx = pol.retained(int(targets[row, col]), int(w[col]))
            where = [len(ctx) - 1]
        else:
            prefix, r = key
            ctx = np.concatenate([np.asarray(prefix, dtype=np.int64), np.arange(r, max(m[2] for m in members))])
            where = [len(prefix) + (t - r) - 1 for _, _, t in members]
        tokens = ids[ctx]
        pos = (ctx + nb) if position_preserving else np.arange(nb, nb + len(ctx))
        if nb:
            tokens, pos = np.concatenate([[ref.bos], tokens]), np.concatenate([[0], pos])
        seqs.append(tokens)
        poss.append(pos)
        slots.append(np.asarray(where) + nb)
        rows.extend(members)
    hidden = _hidden(model, seqs, poss, slots, max_tokens=max_tokens)
    return rows, torch.cat(hidden)


def truncation_kl(model, ids, windows, *, policy="sliding", positions=None, sink=4, block=None,
                  position_preserving=False, seed=0, bos=None, reference=None, max_tokens=4096,
                  nll_excess=False):
    """KL between the full-context and the re-encoded retained-context next-token laws, in nats.

    Parameters
    ----------
    model : transformers causal LM (from :func:`lib.kv.load_model`)
    ids : 1-D integer array
        The text's token ids, without BOS.
    windows : 1-D integer array
        Budgets ``w`` (retained tokens, sink included, BOS excluded); each in [1, min(len(ids), context)].
    policy : str or Policy
        ``"sliding"``, ``"sink"``, ``"random"``, ``"block_markov"`` (see ``lib.kv.POLICIES``) or an instance;
        StreamingLLM and H2O run online (:mod:`lib.kv.online`).
    positions : 1-D or 2-D integer array
        Targets ``t`` in [1, len(ids)] (the model has read ``x_0 .. x_{t-1}``). 1-D: the same targets
        for every window; 2-D of shape [n, len(windows)]: one target per (row, window), e.g.
        ``t = r + w`` for start ``r``, which lets one pass from ``r`` serve every window.
    sink, block, seed : int
        Options of the sink, block-Markov and random policies; each policy takes the ones it has.
    position_preserving : bool
        False: positions ``0 .. n-1`` (re-indexed); True: the tokens' original positions.
    bos : int or None
        Token prepended to every context at position 0 and never counted (``lib.kv.bos_id(tokenizer)``).
    reference : FullContext or None
        A precomputed full-context pass over the same ``ids`` (saves one pass per call).
    nll_excess : bool
        Also return the excess log-loss of the token that really follows, from the same passes:
        ``-log q(x_t | retained) + log p(x_t | x_{<t})`` in nats (every target must be < len(ids)).

    Returns
    -------
    numpy.ndarray, shape [n, len(windows)]
        ``KL(p(. | x_{<t}) || p(. | retained))`` in nats, see :eq:`eq-kv-truncation-sensitivity`;
        with ``nll_excess=True`` a pair ``(kl, nll_excess)`` of such arrays.
    """
    ids = _as_ids(ids)
    w = _windows(windows, model, len(ids))
    targets = _targets(positions, len(ids), len(w))
    options = dict(sink=sink, block=block, seed=seed)
    pol = policy if isinstance(policy, Policy) else make_policy(policy, **policy_class(policy).accepts(**options))
    if not getattr(pol, "recompute", True) or pol.name == "h2o":
        raise ValueError(f"`policy` {pol.name!r} is not a fixed re-encoded keep-set: measure it with "
                         "lib.kv.online.rolling_kl (StreamingLLM, H2O eviction) or h2o_kl (H2O re-encoded)")
    for wj in w:
        pol.check_budget(int(wj))
    if not isinstance(position_preserving, (bool, np.bool_)):
        raise TypeError(f"`position_preserving` must be a bool, got {position_preserving!r}")
    if nll_excess and targets.max() >= len(ids):
        raise ValueError(f"`nll_excess` needs the token that follows every target, but a target in `positions` "
                         f"is {targets.max()} = len(ids); use targets < len(ids) or a longer text")
    ref = _reference(model, ids, bos, reference)
    rows, h_trunc = _retained_hidden(model, ids, w, targets, pol, bool(position_preserving), ref, max_tokens)
    t = np.array([t for _, _, t in rows], dtype=np.int64)
    values = _kl_rows(model, ref.rows(t), h_trunc, tokens=ids[t] if nll_excess else None)
    outs = []
    for value in (values if nll_excess else (values,)):
        out = np.empty(targets.shape)
        for (row, col, _), v in zip(rows, value):
            out[row, col] = v
        outs.append(out)
    return tuple(outs) if nll_excess else outs[0]


def eviction_kl(model, ids, windows, *, positions=None, sink=0, bos=None, reference=None):
    """KL between the full-context law and a cache that evicted entries without recompute, in nats.

    One pass over ``ids`` per window with a banded attention mask: every query at every layer sees only
    the last ``w - sink`` entries (itself included), the ``sink`` leading ones, and BOS, all at their
    *original* positions: sink-plus-window eviction (with ``sink=0``, StreamingLLM's "window attention"
    baseline). It is not StreamingLLM, which assigns positions within the cache
    (:func:`lib.kv.online.rolling_kl`), and it is *not* truncation: a retained entry in layer ``l >= 2`` was
    computed from entries that were later evicted, so information from up to ``n_layers * w`` tokens back
    survives.

    Parameters
    ----------
    model, ids, windows, bos, reference
        As in :func:`truncation_kl`; windows must exceed ``sink``.
    positions : 1-D integer array
        Targets ``t`` in [1, len(ids)].
    sink : int
        Leading entries never evicted (counted inside the budget).

    Returns
    -------
    numpy.ndarray, shape [len(positions), len(windows)]
    """
    ids = _as_ids(ids)
    w = _windows(windows, model, len(ids))
    sink = int(make_policy("sink", sink=sink).sink) if sink else 0
    if sink and (w <= sink).any():
        raise ValueError(f"`sink` ({sink}) must be smaller than every window in `windows` (min {w.min()})")
    targets = np.asarray(positions)
    if targets.ndim != 1:
        raise ValueError("`positions` must be a 1-D array of targets for `eviction_kl`")
    targets = _targets(targets, len(ids), 1)[:, 0]
    ref = _reference(model, ids, bos, reference)
    nb = ref.offset
    seq = np.concatenate([[ref.bos], ids[:targets.max()]]) if nb else ids[:targets.max()]
    slots = targets - 1 + nb
    out = np.empty((len(targets), len(w)))
    for col, wj in enumerate(w):
        h = _hidden(model, [seq], [np.arange(len(seq))], [slots], band=int(wj) - sink, keep=nb + sink)[0]
        out[:, col] = _kl_rows(model, ref.rows(targets), h)
    return out
