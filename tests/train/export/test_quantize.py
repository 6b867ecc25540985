"""GGUF f16 -> Q4_K_M through llama.cpp's quantizer: a smaller file llama.cpp loads, written
whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from instructlab.errors import InstructLabError
from instructlab.train.export.gguf import write_gguf
from instructlab.train.export.quantize import quantize_gguf
from train.tiny import write_tiny_model


def test_q4_k_m_is_smaller_and_loads(tmp_path: Path) -> None:
    import gguf
    import llama_cpp

    folder = write_tiny_model(tmp_path / "m", "llama")
    f16 = write_gguf(folder, folder / "pytorch_model.gguf")
    q4 = quantize_gguf(f16, folder / "pytorch_model-Q4_K_M.gguf", threads=1)
    assert q4.stat().st_size < f16.stat().st_size * 0.6
    kinds = {t.tensor_type.name for t in gguf.GGUFReader(str(q4)).tensors}
    # 64-wide rows are too short for k-quants: llama.cpp falls back per tensor, as its CLI does.
    assert kinds - {"F32"} and not kinds & {"F16"}
    assert not list(folder.glob(".*partial*"))
    llm = llama_cpp.Llama(str(q4), n_ctx=64, n_threads=1, verbose=False)
    try:
        assert len(llm.tokenize(b"The quick brown fox")) > 0
        llm.eval(llm.tokenize(b"The quick brown fox"))
    finally:
        llm.close()


def test_a_file_llama_cpp_cannot_read_leaves_nothing(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.gguf"
    bogus.write_bytes(b"GGUF" + b"\x00" * 64)
    target = tmp_path / "out-Q4_K_M.gguf"
    with pytest.raises(InstructLabError, match="could not quantise it to Q4_K_M"):
        quantize_gguf(bogus, target, threads=1)
    assert not target.exists() and not list(tmp_path.glob(".*partial*"))
