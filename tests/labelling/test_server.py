"""The labelling app through Starlette's test client: saves, refusals, resuming, only the folder's crops."""

import io

import pytest
from fontTools.ttLib import TTFont
from starlette.testclient import TestClient

from plate_ocr.charset import Charset
from plate_ocr.data.crops import label_from_filename
from plate_ocr.data.labels_file import LABELS_FILE, UNREADABLE, LabelsFileError, read_labels, write_labels
from plate_ocr.labelling.server import create_app
from plate_ocr.plate_format import MARKS, PROVINCES
from tests.labelling.conftest import fake_readings


def names(client) -> list[str]:
    return [crop["name"] for crop in client.get("/api/crops").json()["crops"]]


def save(client, name: str, plate: str):
    return client.post("/api/labels", json={"name": name, "plate": plate})


def test_the_page_and_the_crops_in_order(client):
    assert 'id="plate"' in client.get("/").text
    assert client.get("/font").headers["content-type"] == "font/otf"  # hanzi without system CJK fonts
    state = client.get("/api/crops").json()
    assert [crop["confidence"] for crop in state["crops"]] == [0.5, 0.6, 0.7, 0.8]  # least confident first
    assert state["progress"] == {"total": 4, "labelled": 0, "plates": 0, "right": 0}
    assert all(crop["label"] is None for crop in state["crops"])


def test_the_font_holds_every_plate_hanzi_and_little_else(client):
    served = client.get("/font").content
    assert len(served) < 200_000  # the packaged face is 17 MB
    characters = TTFont(io.BytesIO(served)).getBestCmap()
    assert all(ord(char) in characters for char in PROVINCES + MARKS)


def test_a_plate_is_saved_and_counted(client, crops):
    first, second = names(client)[:2]
    right, typed = label_from_filename(first), label_from_filename(second)
    assert save(client, first, right).json()["progress"]["right"] == 1  # the model's reading accepted
    answer = save(client, second, typed.lower())  # letters typed in lower case are plates too
    assert answer.json()["label"] == typed
    assert answer.json()["progress"] == {"total": 4, "labelled": 2, "plates": 2, "right": 1}
    assert read_labels(crops) == {first: right, second: typed}


def test_a_wrong_plate_is_explained_and_nothing_is_saved(client, crops):
    name = names(client)[0]
    for wrong, said in [
        ("皖A1234", "is not a plate"),
        ("皖AO1234", "'O' is not a plate character"),
        ("", ""),
    ]:
        answer = save(client, name, wrong)
        assert answer.status_code == 422 and said in answer.json()["error"]
    assert not (crops / LABELS_FILE).exists()


def test_unreadable_is_saved_and_not_counted_as_a_plate(client, crops):
    name = names(client)[0]
    assert save(client, name, UNREADABLE).json()["progress"] == {
        "total": 4,
        "labelled": 1,
        "plates": 0,
        "right": 0,
    }
    assert read_labels(crops) == {name: UNREADABLE}


def test_a_second_session_resumes_from_labels_tsv(crops):
    first = fake_readings(crops)[0]
    name = first.path.rsplit("/", 1)[-1]
    write_labels(crops, {name: first.text, "gone.jpg": "京A12345"})
    client = TestClient(create_app(crops, fake_readings(crops), Charset()), base_url="http://127.0.0.1")
    state = client.get("/api/crops").json()
    assert {crop["name"]: crop["label"] for crop in state["crops"]}[name] == first.text
    assert state["progress"] == {"total": 4, "labelled": 1, "plates": 1, "right": 1}
    other = names(client)[-1] if names(client)[-1] != name else names(client)[0]
    save(client, other, UNREADABLE)
    assert read_labels(crops) == {name: first.text, "gone.jpg": "京A12345", other: UNREADABLE}


def test_only_the_folders_crops_are_served(client, crops):
    write_labels(crops, {})
    (crops.parent / "secret.txt").write_text("not yours")
    assert client.get(f"/crops/{names(client)[0]}").headers["content-type"] == "image/jpeg"
    for path in ["/crops/labels.tsv", "/crops/..%2Fsecret.txt", "/crops/%2E%2E/secret.txt", "/secret.txt"]:
        assert client.get(path).status_code == 404, path
    assert save(client, "../secret.txt", "京A12345").status_code == 404
    # Another site: refused by name (DNS rebinding), and a form post (no JSON) refused outright.
    assert client.get("/api/crops", headers={"host": "evil.example"}).status_code == 400
    form = client.post("/api/labels", data={"name": names(client)[0], "plate": "京A12345"})
    assert form.status_code == 415


def test_a_labels_tsv_that_does_not_parse_stops_the_app(crops):
    (crops / LABELS_FILE).write_text("no tab here\n", encoding="utf-8")
    with pytest.raises(LabelsFileError, match="line 1"):
        create_app(crops, fake_readings(crops), Charset())
