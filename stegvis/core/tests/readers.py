"""Open exported files as another program would, for tests that compare their figures with the
web page's: ``pdftotext`` (poppler-utils) for PDF and LibreOffice Calc, headless, for XLSX (each
sheet converted to CSV). ``make doc-deps`` installs both; the tests skip with a reason when
they are missing on a developer's machine, and CI has them."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


def _need(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        pytest.skip(f"{program} saknas (make doc-deps installerar det)")
    return path


def pdf_text(content: bytes) -> str:
    """The PDF's text in reading order, as pdftotext lays it out."""
    program = _need("pdftotext")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(content)
        result = subprocess.run(  # noqa: S603 - a fixed program on a file we wrote
            [program, "-layout", str(source), "-"],
            capture_output=True,
            check=True,
            timeout=60,
        )
    return result.stdout.decode("utf-8")


def xlsx_sheets(content: bytes) -> list[list[list[str]]]:
    """Each sheet of the workbook as rows of cells, as LibreOffice reads and writes them."""
    program = _need("soffice")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "book.xlsx"
        source.write_bytes(content)
        # Filter options: comma, double quote, UTF-8, from row 1, …, -1 = every sheet to its file.
        options = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
        env = {**os.environ, "HOME": folder}
        subprocess.run(  # noqa: S603 - a fixed program on a file we wrote
            [
                program,
                f"-env:UserInstallation=file://{folder}/profile",
                "--headless",
                "--convert-to",
                options,
                "--outdir",
                folder,
                str(source),
            ],
            capture_output=True,
            check=True,
            timeout=120,
            env=env,
        )
        files = sorted(Path(folder).glob("book*.csv"), key=lambda p: p.stat().st_mtime_ns)
        sheets = []
        for path in files:
            with path.open(encoding="utf-8", newline="") as handle:
                sheets.append(list(csv.reader(handle)))
    return sheets
