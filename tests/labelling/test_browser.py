"""The labelling page in a real browser (Debian's headless chromium through Selenium; nothing downloaded):
a typed plate and Enter land in labels.tsv, a wrong plate shows the message and saves nothing, Esc marks a
crop unreadable and ↑ goes back to it."""

import shutil
import tempfile
import threading
from pathlib import Path

import pytest
import uvicorn

from plate_ocr.charset import Charset
from plate_ocr.data.crops import label_from_filename
from plate_ocr.data.labels_file import LABELS_FILE, UNREADABLE, read_labels
from plate_ocr.labelling.server import bind, create_app, url
from tests.labelling.conftest import fake_readings

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
webdriver = pytest.importorskip(
    "selenium.webdriver", reason="selenium is not installed (pip install -e .[dev])"
)
if not (CHROMIUM.is_file() and CHROMEDRIVER.is_file()):
    pytest.skip(
        f"no {CHROMIUM} or {CHROMEDRIVER} (apt-get install chromium chromium-driver)", allow_module_level=True
    )

from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture
def browser():
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [
        "--headless",
        "--no-sandbox",  # as root, in a container
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
    ]:
        options.add_argument(flag)
    # The driver named, so Selenium Manager looks for nothing to download.
    driver = webdriver.Chrome(
        service=webdriver.ChromeService(executable_path=str(CHROMEDRIVER)), options=options
    )
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(crops):
    """The app over `crops` served on a free port in a thread; its address."""
    app = create_app(crops, fake_readings(crops), Charset(), order="confidence")
    sock = bind(0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield url(sock)
    server.should_exit = True
    thread.join(timeout=10)


def shown(driver) -> str:
    """The crop the page shows (its file name)."""
    return driver.find_element(By.ID, "reading").text.split(" · ")[0]


def test_type_a_plate_and_press_enter(browser, page, crops):
    wait = WebDriverWait(browser, 10)
    browser.get(page)
    wait.until(lambda driver: driver.find_element(By.ID, "plate").get_attribute("value"))
    first = shown(browser)
    plate = label_from_filename(first)
    assert browser.find_element(By.ID, "plate").get_attribute("value") == plate  # the model read it right
    # The reading is selected: typing replaces it.
    ActionChains(browser).send_keys("皖A1234" + Keys.ENTER).perform()
    message = wait.until(lambda driver: driver.find_element(By.ID, "message").text)
    assert "皖A1234 is not a plate" in message
    assert not (crops / LABELS_FILE).exists() and shown(browser) == first

    field = browser.find_element(By.ID, "plate")
    field.clear()
    field.send_keys(plate.lower() + Keys.ENTER)
    wait.until(lambda driver: shown(driver) != first)
    assert read_labels(crops) == {first: plate}
    progress = browser.find_element(By.ID, "progress").text
    assert "1 labelled of 4" in progress and "right on 1 of 1" in progress

    second = shown(browser)
    ActionChains(browser).send_keys(Keys.ESCAPE).perform()
    wait.until(lambda driver: shown(driver) != second)
    assert read_labels(crops) == {first: plate, second: UNREADABLE}
    ActionChains(browser).send_keys(Keys.ARROW_UP).perform()
    wait.until(lambda driver: shown(driver) == second)
    assert browser.find_element(By.ID, "plate").get_attribute("value") == UNREADABLE


def test_a_mark_button_types_its_hanzi_at_the_cursor(browser, page, crops):
    wait = WebDriverWait(browser, 10)
    browser.get(page)
    wait.until(lambda driver: driver.find_element(By.ID, "plate").get_attribute("value"))
    first = shown(browser)
    field = browser.find_element(By.ID, "plate")
    field.clear()
    field.send_keys("014578")
    ActionChains(browser).send_keys(Keys.HOME).perform()
    browser.find_element(By.XPATH, "//div[@id='marks']/button[text()='使']").click()
    assert field.get_attribute("value") == "使014578"
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    wait.until(lambda driver: shown(driver) != first)
    assert read_labels(crops) == {first: "使014578"}
