"""`plate-ocr label` as users run it: bad input is one line, and a server killed mid-session leaves a
labels.tsv that parses and holds every label saved before the kill."""

import json
import os
import signal
import subprocess
import sys
import urllib.request

import pytest

from plate_ocr.data.crops import image_files, label_from_filename
from plate_ocr.data.labels_file import LABELS_FILE, read_labels
from tests.cli.test_cli import exit_message
from tests.conftest import PROJECT_ROOT


def test_bad_folders_are_one_line(tmp_path, crops):
    assert "image folder not found" in exit_message("label", str(tmp_path / "missing"), "--no-browser")
    (tmp_path / "empty").mkdir()
    assert "holds no" in exit_message("label", str(tmp_path / "empty"), "--no-browser")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "read me.txt").write_text("no crops here")
    assert "holds no" in exit_message("label", str(tmp_path / "notes"), "--no-browser")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "a.jpg").write_bytes(b"not a jpeg")
    assert "no crop of" in exit_message(
        "label", str(tmp_path / "broken"), "--no-browser", "--order", "random"
    )
    (crops / LABELS_FILE).write_text("0000.jpg 京A12345\n", encoding="utf-8")
    assert "labels.tsv, line 1: expected `file<TAB>plate`" in exit_message(
        "label", str(crops), "--no-browser"
    )


def post(address: str, name: str, plate: str) -> dict:
    request = urllib.request.Request(
        f"{address}api/labels",
        data=json.dumps({"name": name, "plate": plate}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="no SIGKILL on this system")
def test_a_killed_server_loses_no_saved_label(crops):
    command = [sys.executable, "-m", "plate_ocr.cli.main", "label", str(crops), "--port", "0", "--no-browser"]
    server = subprocess.Popen(
        [*command, "--order", "confidence"], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        lines = [server.stdout.readline(), server.stdout.readline()]
        assert lines[0].startswith("read 4 crops in "), lines
        address = lines[1].split(" at ")[1].split()[0]
        saved = {path.name: label_from_filename(path) for path in image_files(crops)[:3]}
        for name, plate in saved.items():
            assert post(address, name, plate)["label"] == plate
    finally:
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
    assert read_labels(crops) == saved
    assert not [path for path in crops.iterdir() if path.name.startswith(f".{LABELS_FILE}")]  # no temp file
