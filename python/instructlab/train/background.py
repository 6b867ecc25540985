"""A training run in the background (``-dt``): the options go to a file beside the process
logs, and ``python -m instructlab.train --options FILE`` runs under the job supervisor, listed
by ``ilab process list`` (kind ``train``) with its log attachable."""

from __future__ import annotations

import datetime
import sys
from typing import TYPE_CHECKING

from instructlab.fileio import atomic_write_text
from instructlab.train.options import TrainOptions

if TYPE_CHECKING:
    from instructlab.system.jobs.registry import ProcessRecord

__all__ = ["launch_detached"]


def launch_detached(options: TrainOptions) -> ProcessRecord:
    """Starts the run; returns its :class:`~instructlab.system.jobs.ProcessRecord`."""
    from instructlab.system import jobs

    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    options_file = jobs.logs_dir() / f"train-{stamp}.options.json"
    atomic_write_text(options_file, options.to_json())
    argv = [sys.executable, "-m", "instructlab.train", "--options", str(options_file)]
    extra = {"options_file": str(options_file), "ckpt_output_dir": options.ckpt_output_dir}
    return jobs.launch(argv, "train", extra=extra)
