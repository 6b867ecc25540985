"""``ilab system``: facts about this machine and installation."""

from __future__ import annotations

import json

import click

from instructlab.cli._common import group


@group("system", "Facts about this machine and installation.")
def system() -> None:
    pass


@system.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def info(fmt: str) -> None:
    """Platform, Python, packages, CPU, memory, GPUs and the native core build."""
    from instructlab.core import System

    facts = System().info()
    if fmt == "json":
        click.echo(json.dumps(facts.as_dict(), indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    hw = facts.hardware
    table.add_row("Platform", facts.platform)
    table.add_row("Python", f"{facts.python} ({facts.python_executable})")
    table.add_row("CPU", f"{hw.cpu_model}, {hw.cpu_count} logical cores")
    table.add_row("Memory", f"{hw.memory_gib:g} GiB")
    gpus = ", ".join(
        f"{g.name} ({g.memory_gib:g} GiB)" if g.memory_gib else g.name for g in hw.gpus
    )
    table.add_row("GPUs", gpus or "none found")
    native = facts.native
    table.add_row(
        "Native core",
        f"{native['version']} ({native['profile']}, {native['target']}, {native['rustc']})",
    )
    table.add_row("Config file", facts.config_file + ("" if facts.config_exists else " (absent)"))
    table.add_row("Data", facts.data_dir)
    table.add_row("Cache", facts.cache_dir)
    for name, version in facts.packages.items():
        table.add_row(f"  {name}", version or "[dim]not installed[/dim]")
    Console(soft_wrap=True).print(table)
