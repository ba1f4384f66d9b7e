"""Part II: KV-cache truncation sensitivity (models, corpus, policies, exact measurement, data store, fits, toys).

Nothing here loads a language model on import; ``load_model`` does, on demand. The pages' figures, tables and
explorers are in :mod:`lib.kv.views`.
"""
from .models import DEFAULT_MODEL, MEASURED, MODELS, REGISTRY, ModelSpec, bos_id, load_model, model, model_facts
from .policies import (POLICIES, BlockMarkovPolicy, H2OPolicy, Policy, RandomPolicy, SinkRecentPolicy,
                       SlidingPolicy, StreamingLLMPolicy, make_policy, policy_class)
from .truncation import FullContext, eviction_kl, kl_from_logits, truncation_kl
from .block_markov import (block_markov_distortion, block_markov_exponent, block_markov_schedule, bracketed,
                           loglog_interpolator, mean_memory, measured_comparison)
from .fits import (ExtrapolationResult, MeasuredLaw, bootstrap_alpha, extrapolation_test, fit_exponential,
                   fit_power_law, measured_law, power_law_r2, window_for_distortion)
from .memory import ModelShape, bytes_per_token, format_bytes, kv_bytes
from .toy_attention import ToyAttention, toy_b_study, toy_b_summary, toy_truncation_kl
from .toys import MonteCarlo, ToyA, gaussian_kl_rate
