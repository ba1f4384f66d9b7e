"""Benchmark 1: the dense truncation curve Delta(w), w = 1..W, on the embedded model: library against naive passes.

Usage: ``.venv/bin/python -m bench.truncation`` (W = 512, one start: about 6 minutes with one thread, almost all
of it the naive loop); ``--W 128`` or ``--quick`` for a one-minute run; ``--starts 2`` for more targets;
``--threads 1`` when other work shares the machine (two threads on two busy cores run ten times slower).
Goals at W = 512: the library at least 20x faster than the naive loop with identical results, and within 1.5x of
the forward-pass roofline.

The targets: for each start ``r``, ``t = r + w`` for every ``w = 1..W`` (the sliding window of ``w`` tokens before
``t`` then begins at ``r``), on the first article of the corpus with ``L = r_max + W`` tokens. Both sides compute
``KL(p(. | x_<t) || p(. | x_{t-w} .. x_{t-1}))`` in float64 from one full-context pass over the text.

* library: :func:`lib.kv.truncation_kl` with 2-D positions; its shared-start trick serves every window of a start
  from one pass of W tokens.
* naive: one forward per (target, window), batch 1, over the ``w`` retained tokens (``logits_to_keep=1``).

The roofline is the time the method cannot avoid: the model's own forward, timed alone, over the same sequences
(the full-context pass of L tokens and one W-token pass per start), with the head on the rows used. Its FLOPs:
``2 P n + 2 n_layers n^2 d_attn + 2 d_model V k`` for ``n`` tokens and ``k`` head rows (P: parameters outside the
embedding table; the causal attention term counts QK^T and AV; V: vocabulary). The library and the roofline are
timed in turn, several times each, and the minimum of each is kept, so that both see the same load.
"""
from __future__ import annotations

import argparse
import math
import os

import numpy as np

from .record import best, print_table, profile, record

GOAL_RATIO = 20.0
GOAL_ROOFLINE = 1.5
GOAL_W = 512
SAME_LOGP = 1e-4  # "identical": the log-probabilities agree to float32 round-off


def flops(model, n: int, kept: int) -> float:
    """FLOPs of one forward of ``n`` tokens with the head on ``kept`` rows (formula in the module docstring)."""
    cfg = model.config
    embed = model.get_input_embeddings().weight.numel()
    body = sum(p.numel() for p in model.parameters()) - embed
    if not getattr(cfg, "tie_word_embeddings", False):
        body -= model.get_output_embeddings().weight.numel()
    d_attn = cfg.num_attention_heads * (getattr(cfg, "head_dim", None) or cfg.hidden_size // cfg.num_attention_heads)
    return 2.0 * body * n + 2.0 * cfg.num_hidden_layers * n * n * d_attn + 2.0 * cfg.hidden_size * cfg.vocab_size * kept


def forwards(model, sequences: list[tuple[np.ndarray, int]]) -> None:
    """The model's own forward (batch 1) over each ``(ids, kept)``, with logits for the last ``kept`` rows."""
    import torch

    with torch.inference_mode():
        for ids, kept in sequences:
            model(input_ids=torch.as_tensor(ids)[None], logits_to_keep=kept)


def naive(model, ids: np.ndarray, starts: list[int], W: int):
    """One forward per (target, window): KL[start, w-1] and the float64 log-probabilities of every pass."""
    import torch

    L = starts[-1] + W
    with torch.inference_mode():
        full = torch.log_softmax(model(input_ids=torch.as_tensor(ids[:L])[None]).logits[0].double(), dim=-1)
        kl = np.empty((len(starts), W))
        logp = []
        for i, r in enumerate(starts):
            rows = []
            for w in range(1, W + 1):
                ctx = torch.as_tensor(ids[r:r + w])[None]
                lq = torch.log_softmax(model(input_ids=ctx, logits_to_keep=1).logits[0, -1].double(), dim=-1)
                lp = full[r + w - 1]
                kl[i, w - 1] = float((lp.exp() * (lp - lq)).sum().clamp_min(0.0))
                rows.append(lq)
            logp.append(torch.stack(rows))
    return kl, logp


def library_logp(model, ids: np.ndarray, targets: np.ndarray, W: int):
    """The library's own float64 log-probabilities for each (start, window), from its internals (untimed check)."""
    import torch

    from lib.kv.policies import make_policy
    from lib.kv.truncation import FullContext, _log_probs, _retained_hidden

    windows = np.arange(1, W + 1)
    ref = FullContext(model, ids)
    rows, hidden = _retained_hidden(model, ids, windows, targets, make_policy("sliding"), False, ref)
    order = np.array([row * W + col for row, col, _ in rows])
    out = torch.empty((len(rows), model.config.vocab_size), dtype=torch.float64)
    for a in range(0, len(rows), 64):
        out[order[a:a + 64]] = _log_probs(model, hidden[a:a + 64])
    return out.reshape(targets.shape[0], W, -1)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--W", type=int, default=512, help="largest window (default 512)")
    parser.add_argument("--starts", type=int, default=1, help="starts r; each gives W targets t = r + w")
    parser.add_argument("--quick", action="store_true", help="W = 128")
    parser.add_argument("--repeats", type=int, default=3, help="library and roofline: minimum over this many runs")
    parser.add_argument("--threads", type=int, default=0,
                        help="torch threads (default: torch's choice; use 1 on a machine busy with other work)")
    parser.add_argument("--no-record", action="store_true", help="print the tables only")
    args = parser.parse_args(argv)
    W = 128 if args.quick else args.W
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)

    from lib.kv import corpus, load_model, truncation_kl

    model, tokenizer = load_model()
    L = 2 * W + (args.starts - 1) * max(1, W // 4)
    starts = [W + i * max(1, W // 4) for i in range(args.starts)]
    ids = corpus.segments(tokenizer, 1, length=L)[0].ids
    windows = np.arange(1, W + 1)
    targets = np.array([[r + w for w in windows] for r in starts])
    load_before = os.getloadavg()

    def library():
        return truncation_kl(model, ids, windows, policy="sliding", positions=targets)

    kept_full = len(np.unique(targets))  # the full-context rows the KL uses
    roofline = [(ids[:L], kept_full)] + [(ids[r:r + W], W) for r in starts]
    lib_s = roof_s = math.inf
    for _ in range(args.repeats):  # interleaved, so that both see the same load
        seconds, lib_kl = best(library, 1)
        lib_s = min(lib_s, seconds)
        roof_s = min(roof_s, best(lambda: forwards(model, roofline), 1)[0])
    prof_rows = profile(library)
    naive_s, (naive_kl, naive_logp) = best(lambda: naive(model, ids, starts, W), 1)
    lib_lp = library_logp(model, ids, targets, W)
    max_dlogp = max(float((lib_lp[i] - naive_logp[i]).abs().max()) for i in range(len(starts)))
    max_dkl = float(np.max(np.abs(lib_kl - naive_kl)))
    rel_dkl = float(np.max(np.abs(lib_kl - naive_kl) / np.maximum(naive_kl, 1e-3)))

    tokens = L + len(starts) * W
    work = flops(model, L, kept_full) + len(starts) * flops(model, W, W)
    naive_tokens = L + len(starts) * W * (W + 1) // 2
    naive_work = flops(model, L, L) + len(starts) * sum(flops(model, w, 1) for w in windows)
    rows = [
        {"table": "timing", "method": "library (shared start)", "seconds": lib_s, "forward_tokens": tokens,
         "tokens_per_s": tokens / lib_s, "gflop_per_s": work / lib_s / 1e9, "x_roofline": lib_s / roof_s},
        {"table": "timing", "method": "naive (one pass per target and window)", "seconds": naive_s,
         "forward_tokens": naive_tokens, "tokens_per_s": naive_tokens / naive_s,
         "gflop_per_s": naive_work / naive_s / 1e9, "x_roofline": naive_s / roof_s},
        {"table": "timing", "method": "roofline (model forward alone, same sequences)", "seconds": roof_s,
         "forward_tokens": tokens, "tokens_per_s": tokens / roof_s, "gflop_per_s": work / roof_s / 1e9,
         "x_roofline": 1.0},
    ]
    print_table(rows, [c for c in rows[0] if c != "table"])
    print("\nprofile of the library (own time):")
    print_table(prof_rows, ["function", "calls", "own_s", "share"])
    ratio = naive_s / lib_s
    summary = {"W": W, "starts": len(starts), "targets": int(targets.size), "text_tokens": L,
               "library_s": lib_s, "naive_s": naive_s, "roofline_s": roof_s, "speedup": ratio,
               "x_roofline": lib_s / roof_s, "max_abs_dlogp": max_dlogp, "max_abs_dkl": max_dkl,
               "max_rel_dkl": rel_dkl, "mean_delta_w1": float(lib_kl[:, 0].mean()),
               "mean_delta_wmax": float(lib_kl[:, -1].mean()),
               "torch_threads": torch.get_num_threads(),
               "load_before": [round(x, 2) for x in load_before],
               "load_after": [round(x, 2) for x in os.getloadavg()],
               "goal_speedup": GOAL_RATIO, "goal_roofline": GOAL_ROOFLINE,
               "at_goal_setting": W >= GOAL_W,
               "goal_speedup_met": W >= GOAL_W and ratio >= GOAL_RATIO and max_dlogp <= SAME_LOGP,
               "goal_roofline_met": W >= GOAL_W and lib_s / roof_s <= GOAL_ROOFLINE}
    summary["goal_met"] = summary["goal_speedup_met"] and summary["goal_roofline_met"]
    print()
    print_table([summary])
    if not args.no_record:
        record("truncation", {"W": W, "starts": len(starts), "threads": torch.get_num_threads()}, rows + prof_rows,
               summary)


if __name__ == "__main__":
    main()
