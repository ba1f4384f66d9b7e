"""Tests of lib.kv.models, and the exactness of the fast measurement on the embedded SmolLM2."""
import numpy as np
import pytest
import torch

from lib.kv import models
from lib.kv.policies import make_policy
from lib.kv.truncation import FullContext, _log_probs, _retained_hidden, truncation_kl


class TestLoadModel:
    def test_unknown_name_says_what_to_use(self):
        with pytest.raises(ValueError, match="unknown model `name` 'gpt-5'"):
            models.load_model("gpt-5")

    def test_bad_device(self):
        with pytest.raises(ValueError, match="`device` must be 'cpu' or 'cuda'"):
            models.load_model(device="tpu")

    def test_missing_wheel_says_how_to_install(self):
        spec = models.ModelSpec("ghost", "Ghost", "ghost-pkg", (("no_such_module_xyz", "w.gguf"),), None,
                                "make models", "none")
        with pytest.raises(ValueError, match="needs the package `ghost-pkg`.*make models"):
            models._gguf_files(spec)

    def test_cache_is_keyed_on_the_converting_transformers_release(self, tmp_path, monkeypatch):
        pinned = [line.split("==")[1].strip() for line in open(models.Path(models.__file__).parents[2]
                                                               / "requirements.txt") if line.startswith("transformers==")]
        assert pinned == [models.CONVERTER_TRANSFORMERS]
        monkeypatch.setenv("INFOTHEORY_BOOK_CACHE", str(tmp_path))
        path = models.converted_path(models.MODELS["smollm2-135m"])
        assert path.parent == tmp_path / "models" and path.name.endswith(f"-transformers-{models.CONVERTER_TRANSFORMERS}")

    def test_another_transformers_release_refuses_to_convert(self, tmp_path, monkeypatch):
        monkeypatch.setenv("INFOTHEORY_BOOK_CACHE", str(tmp_path))
        real_version = models.importlib.metadata.version
        monkeypatch.setattr(models.importlib.metadata, "version",
                            lambda pkg: "5.2.0" if pkg == "transformers" else real_version(pkg))
        with pytest.raises(ValueError, match="must not convert it.*python -m lib.kv convert --model smollm2-135m"):
            models.convert("smollm2-135m")

    def test_registry_pins_gemma_checksum(self):
        assert models.MODELS["gemma3-270m"].sha256.startswith("a5fd3b62")
        assert "make models" in models.MODELS["gemma3-270m"].install


@pytest.mark.model
class TestEmbeddedModel:
    def test_facts_and_no_bos(self, smollm2):
        model, tokenizer = smollm2
        facts = models.model_facts(model)
        assert (facts["architecture"], facts["n_layers"], facts["n_kv_heads"], facts["head_dim"]) == \
            ("llama", 30, 3, 64)
        assert models.bos_id(tokenizer) is None

    @pytest.mark.parametrize("policy, preserve", [("sliding", False), ("sink", True)])
    def test_fast_measurement_equals_one_forward_per_target_and_window(self, smollm2, policy, preserve):
        model, _ = smollm2
        rng = np.random.default_rng(11)
        ids = rng.integers(100, 40000, size=160)
        w = np.sort(rng.choice(np.arange(5, 60), size=3, replace=False))
        targets = rng.integers(70, 100, size=(2, 1)) + w[None]
        ref = FullContext(model, ids)
        pol = make_policy(policy)
        rows, hidden = _retained_hidden(model, ids, w, targets, pol, preserve, ref)
        fast = _log_probs(model, hidden)
        for k, (i, j, t) in enumerate(rows):
            ctx = pol.retained(t, int(w[j]))
            x = torch.as_tensor(ids[ctx])[None]
            pos = torch.as_tensor(ctx if preserve else np.arange(len(ctx)))[None]
            with torch.inference_mode():
                logits = model(input_ids=x, position_ids=pos, attention_mask=torch.ones_like(x)).logits[0, -1]
            naive = torch.log_softmax(logits.double(), -1)
            assert (fast[k] - naive).abs().max().item() < 1e-4

    def test_position_preserving_suffix_equals_reindexed(self, smollm2):
        model, _ = smollm2
        ids = np.random.default_rng(2).integers(100, 40000, size=120)
        targets = np.array([[90, 100]])
        a = truncation_kl(model, ids, [8, 40], positions=targets)
        b = truncation_kl(model, ids, [8, 40], positions=targets, position_preserving=True)
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
