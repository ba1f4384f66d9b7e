#!/usr/bin/env bash
# The long-context measurements of issue 11, one process at a time; every step resumes where it stopped.
#
#   nohup scripts/long-runs.sh >> /work/long-runs.log 2>&1 &      (from the repository root; rerun to continue)
#
# 1. SmolLM2 on Wikipedia (--protocol long) -> book/data/kv/smollm2-135m-long.{csv,json}
# 2. 16 segments sampled from SmolLM2      -> book/data/kv/smollm2-135m-samples.json
# 3. SmolLM2 on its own text (sampled)     -> book/data/kv/smollm2-135m-sampled.{csv,json}
# 4. Gemma 3 on Wikipedia (--protocol long) -> book/data/kv/gemma3-270m-long.{csv,json}
# with bench/long.py (speed, peak memory, projected and observed wall time) after SmolLM2's run and around Gemma's.
# Finished units live under ~/.cache/infotheory-book/measure/<name>-<plan hash>/ (sampling: .../samples/); the
# data files are written once, atomically, when a step's last unit is done. A step that fails is logged and the
# next one starts; a step that succeeded is skipped when the script is started again (stamps in
# ~/.cache/infotheory-book/long-runs/). Only one copy of this script runs at a time (a lock).
set -u
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=PASSIVE HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
exec 9> "${TMPDIR:-/tmp}/infotheory-long-runs.lock"
if ! flock -n 9; then
    echo "another long-runs.sh holds the lock; not starting" >&2
    exit 1
fi
STAMPS="${INFOTHEORY_BOOK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/infotheory-book}/long-runs"
mkdir -p "$STAMPS"
step() {  # run "$@" unless it finished before (a stamp per command line); stamp it when it exits 0
    local stamp="$STAMPS/$(echo "$*" | tr -c 'A-Za-z0-9.-' '_').done"
    if [ -e "$stamp" ]; then echo "== done before, skipped: $*"; return 0; fi
    echo "== $(date -u +%FT%TZ) start: $*"
    "$@"
    local rc=$?
    echo "== $(date -u +%FT%TZ) exit $rc: $*"
    if [ $rc -eq 0 ]; then touch "$stamp"; fi
}
KV=(.venv/bin/python -m lib.kv)
BENCH=(.venv/bin/python -m bench.long --threads 1)
step "${KV[@]}" measure --model smollm2-135m --protocol long --resume --threads 1
step "${BENCH[@]}" --model smollm2-135m --observed
step "${KV[@]}" sample --model smollm2-135m --n 16 --length 4097 --seed 0 --batch 8 --threads 1
step "${KV[@]}" measure --model smollm2-135m --protocol sampled --resume --threads 1
step "${BENCH[@]}" --model gemma3-270m
step "${KV[@]}" measure --model gemma3-270m --protocol long --resume --threads 1
step "${BENCH[@]}" --model gemma3-270m --observed
echo "== $(date -u +%FT%TZ) all steps done"
