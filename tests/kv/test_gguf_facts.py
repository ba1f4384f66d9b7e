"""Tests of lib.kv.gguf_facts on a tiny GGUF written here with the gguf package's own writer."""
import hashlib

import numpy as np
import pytest

from lib.kv.gguf_facts import IDENTITY, gguf_facts


def test_facts_of_a_written_file(tmp_path):
    from gguf import GGUFWriter

    path = tmp_path / "tiny.gguf"
    w = GGUFWriter(str(path), "llama")
    w.add_name("Tiny Test")
    w.add_block_count(2)
    w.add_tensor("blk.0.w", np.ones((4, 8), dtype=np.float32))
    w.add_tensor("blk.1.w", np.ones((3,), dtype=np.float16))
    for step in (w.write_header_to_file, w.write_kv_data_to_file, w.write_tensors_to_file, w.close):
        step()
    facts = gguf_facts(path)
    assert facts["identity"]["general.name"] == "Tiny Test" and facts["identity"]["general.architecture"] == "llama"
    assert facts["identity"]["general.license"] is None and set(facts["identity"]) == set(IDENTITY)
    assert facts["architecture"]["llama.block_count"] == 2
    assert facts["tensor_types"] == {"F32": 1, "F16": 1} and facts["n_elements"] == 35
    assert facts["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_missing_file_names_the_parameter(tmp_path):
    with pytest.raises(ValueError, match="`path`"):
        gguf_facts(tmp_path / "absent.gguf")
