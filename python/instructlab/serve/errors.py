"""The errors model serving, chat and model management raise."""

from __future__ import annotations

from instructlab.errors import InstructLabError


class MissingExtra(InstructLabError):
    """A feature needs an optional dependency group (a pip "extra") that is not installed."""

    def __init__(self, feature: str, extra: str, detail: str = "") -> None:
        more = f" ({detail})" if detail else ""
        super().__init__(
            f"{feature} needs the '{extra}' extra{more}: pip install 'instructlab[{extra}]'"
        )
        self.feature = feature
        self.extra = extra


class ModelNotFound(InstructLabError):
    """A model path or name that names nothing usable."""

    def __init__(self, model: str, detail: str) -> None:
        super().__init__(f"model '{model}': {detail}")
        self.model = model


class ServerError(InstructLabError):
    """A model server did not start, died, or answered with an error."""


class ProcessNotFound(InstructLabError):
    """No tracked background process has the given id."""

    def __init__(self, process_id: str) -> None:
        super().__init__(
            f"no background process '{process_id}'; `ilab process list` shows the known ones"
        )
        self.process_id = process_id
