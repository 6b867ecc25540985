"""PDFs built byte by byte for tests: pages of lines in chosen font sizes, a page of drawing
only (a "scan"), and an encrypted copy (through pypdf)."""

from __future__ import annotations

from pathlib import Path


def write_pdf(path: Path, pages: list[list[tuple[float, str]]]) -> Path:
    """A PDF whose pages hold the given ``(font size, text)`` lines, top to bottom (Helvetica).
    A page with no lines gets a filled rectangle instead: ink without a text layer."""
    objects: dict[int, str] = {1: "<< /Type /Catalog /Pages 2 0 R >>"}
    font = 3
    objects[font] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    kids = []
    number = 4
    for lines in pages:
        if lines:
            ops = ["BT"]
            y = 740.0
            for size, text in lines:
                y -= size * 1.3
                ops.append(f"/F1 {size} Tf 1 0 0 1 72 {y:.1f} Tm ({text}) Tj")
            ops.append("ET")
            stream = "\n".join(ops)
        else:
            stream = "0.5 g 72 72 400 600 re f"
        objects[number] = f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream"
        objects[number + 1] = (
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 {font} 0 R >> >> /Contents {number} 0 R >>"
        )
        kids.append(f"{number + 1} 0 R")
        number += 2
    objects[2] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for key in sorted(objects):
        offsets[key] = len(out)
        out += f"{key} 0 obj\n{objects[key]}\nendobj\n".encode("latin-1")
    xref = len(out)
    size = max(objects) + 1
    out += f"xref\n0 {size}\n0000000000 65535 f \n".encode()
    for key in range(1, size):
        out += f"{offsets[key]:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path


def encrypt_pdf(source: Path, target: Path, password: str = "secret") -> Path:
    """``source`` locked with a user password (RC4, which needs no crypto library)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(password, algorithm="RC4-128")
    with target.open("wb") as handle:
        writer.write(handle)
    return target
