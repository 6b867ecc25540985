"""The one list of pending capabilities is exact: listed methods raise, all others work."""

from __future__ import annotations

import inspect

import pytest

import instructlab.core as core
from instructlab.core._pending import PENDING
from instructlab.errors import NotImplementedYet

CLASSES = [core.Config, core.Taxonomy, core.Data, core.Model, core.RAG, core.System]


def _public_methods() -> list[str]:
    return [
        f"{cls.__name__}.{name}"
        for cls in CLASSES
        for name, member in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_")
    ]


def test_api_version() -> None:
    assert core.__api_version__ == "v1alpha1"
    assert set(core.__all__) >= {"Config", "Taxonomy", "Data", "Model", "RAG", "System"}


def test_every_pending_entry_is_a_real_method() -> None:
    assert set(PENDING) <= set(_public_methods())


def test_pending_methods_raise_naming_the_capability() -> None:
    # A loop, not a parametrisation: the list may be empty, and an empty parameter set skips.
    for qualname in sorted(PENDING):
        cls_name, method = qualname.split(".")
        cls = getattr(core, cls_name)
        func = getattr(cls(), method)
        params = inspect.signature(func).parameters.values()
        args = ["x" for p in params if p.default is inspect.Parameter.empty and p.kind <= 1]
        with pytest.raises(NotImplementedYet) as caught:
            func(*args)
        assert caught.value.what == qualname
        assert caught.value.exit_code == 3


# The implemented surface, each exercised by its own tests; adding a method means adding it here.
IMPLEMENTED = {
    "Config.check",
    "Config.get",
    "Config.init",
    "Config.load",
    "Config.show",
    "Data.decontaminate",
    "Data.dedup",
    "Data.filter",
    "Data.generate_data",
    "Data.ingest",
    "Data.list",
    "Data.list_pipelines",
    "Data.mix",
    "Model.chat",
    "Model.convert",
    "Model.download",
    "Model.evaluate_dk_bench",
    "Model.evaluate_mt_bench",
    "Model.evaluate_mt_bench_branch",
    "Model.evaluate_mmlu_bench",
    "Model.evaluate_mmlu_branch",
    "Model.list",
    "Model.process_data",
    "Model.remove",
    "Model.running_server",
    "Model.serve",
    "Model.test",
    "Model.train_model",
    "Model.upload",
    "RAG.convert",
    "RAG.ingest",
    "RAG.retrieve",
    "RAG.retriever",
    "System.attach",
    "System.info",
    "System.processes",
    "System.prune",
    "System.stop",
    "Taxonomy.diff",
    "Taxonomy.init",
    "Taxonomy.validate",
}


def test_everything_not_pending_is_implemented_and_listed() -> None:
    assert set(_public_methods()) - set(PENDING) == IMPLEMENTED
