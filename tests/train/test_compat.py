"""InstructLab's train options: each mapped with a warning or refused by name, and the table in
docs/training.md in step with the code and the command."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from instructlab.cli.model.train import train as train_command
from instructlab.errors import NotImplementedYet, UsageError
from instructlab.train.compat import FLAGS, map_instructlab_options

DOC = Path(__file__).resolve().parents[2] / "docs" / "training.md"
ROW = re.compile(r"^\| `(-[^`]+)`(?:, `(-[^`]+)`)? \| ([^|]+?) \|", re.MULTILINE)


def _documented() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    out = {}
    for match in ROW.finditer(text):
        status = match.group(3)
        for option in (match.group(1), match.group(2)):
            if option:
                out[option] = status
    return out


def test_every_instructlab_option_is_documented_with_its_status() -> None:
    documented = _documented()
    for option, flag in FLAGS.items():
        assert documented.get(option) == flag.status, option


def test_every_option_of_the_command_is_documented() -> None:
    documented = _documented()
    for param in train_command.params:
        if not isinstance(param, click.Option):
            continue
        names = [o for o in [*param.opts, *param.secondary_opts] if o.startswith("--")]
        assert any(n in documented for n in names), names


def test_mappings_warn_and_refusals_name_the_option() -> None:
    said: list[str] = []
    mapped = map_instructlab_options(
        {"input_dir": "data", "iters": 5, "is_padding_free": False, "gpus": 1}, said.append
    )
    assert mapped == {"data_path": "data", "max_steps": 5}
    assert any("--input-dir is read as --data-path data" in s for s in said)
    assert any("--is-padding-free false has no effect" in s for s in said)
    assert len(said) == 4
    with pytest.raises(NotImplementedYet, match="--strategy lab-multiphase"):
        map_instructlab_options({"strategy": "lab-multiphase"}, said.append)
    with pytest.raises(UsageError, match="deepspeed") as refused:
        map_instructlab_options({"distributed_backend": "deepspeed"}, said.append)
    assert refused.value.param == "distributed_backend"
    with pytest.raises(UsageError, match="not an InstructLab training option"):
        map_instructlab_options({"bogus": 1}, said.append)
