"""The loss curve as a PNG, drawn here: a line chart with axes, grid and labels needs a few
hundred bytes of font and a PNG encoder (zlib), not a plotting library in the dependencies."""

from __future__ import annotations

import itertools
import math
import struct
import zlib
from collections.abc import Sequence
from pathlib import Path

from instructlab.fileio import atomic_write_bytes

__all__ = ["loss_curve_png", "write_loss_curve"]

# A 5x7 font: the characters tick labels and titles use.
_FONT: dict[str, tuple[str, ...]] = {
    "0": (".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."),
    "1": ("..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."),
    "2": (".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"),
    "3": ("#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."),
    "4": ("...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."),
    "5": ("#####", "#....", "####.", "....#", "....#", "#...#", ".###."),
    "6": ("..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."),
    "7": ("#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."),
    "8": (".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."),
    "9": (".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."),
    ".": (".....", ".....", ".....", ".....", ".....", ".##..", ".##.."),
    "-": (".....", ".....", ".....", "#####", ".....", ".....", "....."),
    "+": (".....", "..#..", "..#..", "#####", "..#..", "..#..", "....."),
    "(": ("...#.", "..#..", ".#...", ".#...", ".#...", "..#..", "...#."),
    ")": (".#...", "..#..", "...#.", "...#.", "...#.", "..#..", ".#..."),
    "a": (".....", ".....", ".###.", "....#", ".####", "#...#", ".####"),
    "c": (".....", ".....", ".###.", "#....", "#....", "#...#", ".###."),
    "e": (".....", ".....", ".###.", "#...#", "#####", "#....", ".###."),
    "g": (".....", ".####", "#...#", "#...#", ".####", "....#", ".###."),
    "h": ("#....", "#....", "#.##.", "##..#", "#...#", "#...#", "#...#"),
    "i": ("..#..", ".....", ".##..", "..#..", "..#..", "..#..", ".###."),
    "l": (".##..", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."),
    "n": (".....", ".....", "#.##.", "##..#", "#...#", "#...#", "#...#"),
    "o": (".....", ".....", ".###.", "#...#", "#...#", "#...#", ".###."),
    "p": (".....", ".....", "####.", "#...#", "####.", "#....", "#...."),
    "r": (".....", ".....", "#.##.", "##..#", "#....", "#....", "#...."),
    "s": (".....", ".....", ".####", "#....", ".###.", "....#", "####."),
    "t": (".#...", ".#...", "###..", ".#...", ".#...", ".#..#", "..##."),
    " ": (".....",) * 7,
}
_W, _H = 720, 420
_LEFT, _RIGHT, _TOP, _BOTTOM = 80, 24, 40, 56
_SCALE = 2
_BLACK = (0, 0, 0)
_GREY = (225, 225, 225)
_EPOCH = (200, 200, 235)
_LINE = (31, 119, 180)
_AVERAGE = (214, 39, 40)


class _Canvas:
    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(b"\xff" * (width * height * 3))

    def dot(self, x: int, y: int, colour: tuple[int, int, int]) -> None:
        if 0 <= x < self.width and 0 <= y < self.height:
            i = (y * self.width + x) * 3
            self.pixels[i : i + 3] = bytes(colour)

    def line(
        self, x0: int, y0: int, x1: int, y1: int, colour: tuple[int, int, int], width: int = 1
    ) -> None:
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        err = dx + dy
        while True:
            for ox in range(width):
                for oy in range(width):
                    self.dot(x0 + ox, y0 + oy, colour)
            if x0 == x1 and y0 == y1:
                return
            e2 = 2 * err
            if e2 >= dy:
                err += dy
                x0 += sx
            if e2 <= dx:
                err += dx
                y0 += sy

    def text(self, x: int, y: int, text: str, colour: tuple[int, int, int] = _BLACK) -> None:
        for index, char in enumerate(text):
            glyph = _FONT.get(char, _FONT[" "])
            for row, bits in enumerate(glyph):
                for col, bit in enumerate(bits):
                    if bit == "#":
                        for ox in range(_SCALE):
                            for oy in range(_SCALE):
                                self.dot(
                                    x + (index * 6 + col) * _SCALE + ox,
                                    y + row * _SCALE + oy,
                                    colour,
                                )

    def png(self) -> bytes:
        raw = b"".join(
            b"\x00" + bytes(self.pixels[y * self.width * 3 : (y + 1) * self.width * 3])
            for y in range(self.height)
        )

        def chunk(kind: bytes, data: bytes) -> bytes:
            body = kind + data
            return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b"")
        )


def _text_width(text: str) -> int:
    return len(text) * 6 * _SCALE


def _ticks(low: float, high: float, count: int = 5) -> tuple[list[float], int]:
    """Round tick values covering [low, high], and the decimals to print them with."""
    span = high - low if high > low else 1.0
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(value)
        value += step
    decimals = max(0, -math.floor(math.log10(step)))
    return ticks, decimals


def loss_curve_png(
    steps: Sequence[int], losses: Sequence[float], epoch_starts: Sequence[int] = ()
) -> bytes:
    """The PNG bytes of loss against optimizer step, with a running mean and epoch marks."""
    canvas = _Canvas(_W, _H)
    x0, x1 = _LEFT, _W - _RIGHT
    y0, y1 = _TOP, _H - _BOTTOM
    finite = [(s, v) for s, v in zip(steps, losses, strict=True) if math.isfinite(v)]
    title = "training loss per step"
    canvas.text((_W - _text_width(title)) // 2, 10, title)
    canvas.text((x0 + x1 - _text_width("step")) // 2, _H - 22, "step")
    if finite:
        low_s, high_s = min(s for s, _ in finite), max(s for s, _ in finite)
        low_v, high_v = min(v for _, v in finite), max(v for _, v in finite)
        pad = (high_v - low_v) * 0.05 or max(abs(high_v) * 0.05, 0.05)
        low_v, high_v = low_v - pad, high_v + pad
        if high_s == low_s:
            high_s = low_s + 1

        def px(step: float) -> int:
            return round(x0 + (step - low_s) / (high_s - low_s) * (x1 - x0))

        def py(value: float) -> int:
            return round(y1 - (value - low_v) / (high_v - low_v) * (y1 - y0))

        y_ticks, y_dec = _ticks(low_v, high_v)
        for value in y_ticks:
            y = py(value)
            canvas.line(x0, y, x1, y, _GREY)
            label = f"{value:.{y_dec}f}"
            canvas.text(x0 - 8 - _text_width(label), y - 7, label)
        x_ticks, _ = _ticks(low_s, high_s)
        for value in x_ticks:
            if value != int(value):
                continue
            x = px(value)
            canvas.line(x, y0, x, y1, _GREY)
            label = str(int(value))
            canvas.text(x - _text_width(label) // 2, y1 + 8, label)
        for start in epoch_starts:
            if low_s < start <= high_s:
                canvas.line(px(start), y0, px(start), y1, _EPOCH)
        points = [(px(s), py(v)) for s, v in finite]
        for (ax, ay), (bx, by) in itertools.pairwise(points):
            canvas.line(ax, ay, bx, by, _LINE, 2)
        if len(points) == 1:
            canvas.line(points[0][0] - 2, points[0][1], points[0][0] + 2, points[0][1], _LINE, 2)
        window = max(1, len(finite) // 20)
        if window > 1:
            values = [v for _, v in finite]
            mean = [
                sum(values[max(0, i - window + 1) : i + 1])
                / len(values[max(0, i - window + 1) : i + 1])
                for i in range(len(values))
            ]
            smooth = [(px(s), py(m)) for (s, _), m in zip(finite, mean, strict=True)]
            for (ax, ay), (bx, by) in itertools.pairwise(smooth):
                canvas.line(ax, ay, bx, by, _AVERAGE, 1)
    canvas.line(x0, y0, x0, y1, _BLACK)
    canvas.line(x0, y1, x1, y1, _BLACK)
    canvas.text(8, 10, "loss")
    return canvas.png()


def write_loss_curve(
    path: Path, steps: Sequence[int], losses: Sequence[float], epoch_starts: Sequence[int] = ()
) -> Path:
    """Writes the loss curve PNG to ``path`` (atomically)."""
    return atomic_write_bytes(path, loss_curve_png(steps, losses, epoch_starts))
