"""``Data.generate_data(detached=True)``: the run in the background, its options as data.

The background run is ``ilab data generate --options-file FILE`` under the process supervisor
(``ilab process``). FILE holds the :class:`~instructlab.sdg.options.GenerateOptions` record as
JSON (:meth:`~instructlab.sdg.options.GenerateOptions.to_json`), so no option is turned back
into a flag; the secrets reach the child through its environment (``ps`` and ``ilab process
list`` show a command line to every user), and a configuration given as an object is written
to a file of its own. Both files are readable by the user only (mode 0600), beside the process
logs; the process record's ``extra`` names them.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from instructlab.config import Config
    from instructlab.sdg.options import GenerateOptions
    from instructlab.system.jobs import ProcessRecord

__all__ = ["launch_generate"]


def _private_file(prefix: str, suffix: str, text: str) -> Path:
    """A new file holding ``text``, beside the process logs, readable by the user only."""
    from instructlab.system.jobs import logs_dir

    folder = logs_dir()
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)  # mode 0600
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return Path(name)


def _config_file(config: Config | str | Path | None) -> Path | None:
    """A file holding ``config``: the path given, or a new file for a ``Config`` object."""
    from instructlab.config import Config, render_config

    if not isinstance(config, Config):
        return None if config is None else Path(config).expanduser().resolve()
    # 0600: it may hold an API key.
    return _private_file("data-generate-", ".config.yaml", render_config(config))


def launch_generate(config: Config | str | Path | None, options: GenerateOptions) -> ProcessRecord:
    """Starts ``ilab data generate`` with these options in the background, tracked by
    ``ilab process``; returns its process record.

    ``config`` is the configuration file to use (None: the default one), or a ``Config``
    object, which is written to a file for the run.
    """
    from instructlab.sdg.options import SECRET_ENVIRONMENT
    from instructlab.system import jobs

    argv = [sys.executable, "-c", "from instructlab.cli.main import main; main()"]
    config_file = _config_file(config)
    if config_file is not None:
        argv += ["--config", str(config_file)]
    options_file = _private_file("data-generate-", ".options.json", options.to_json())
    argv += ["data", "generate", "--options-file", str(options_file)]
    env = dict(os.environ)
    for name, variable in SECRET_ENVIRONMENT.items():
        value = getattr(options, name)
        if value is not None:
            env[variable] = value
        else:
            env.pop(variable, None)
    extra = {"options_file": str(options_file)}
    if config_file is not None:
        extra["config_file"] = str(config_file)
    return jobs.launch(argv, "data-generate", env=env, extra=extra)
