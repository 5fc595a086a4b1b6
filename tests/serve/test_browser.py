"""The page in headless Chromium, as a person uses it: draw a digit, drop a photo, look at it.

Playwright drives Debian's chromium (never a downloaded browser); without it the tests skip,
or fail where the services are required (tests/services.py).
"""

import base64
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from neurona import datasets
from serve.images import encode, photo_of
from services import missing

CHROMIUM = Path("/usr/bin/chromium")
# Root needs --no-sandbox; the rest keep chromium from reaching for the network on its own.
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1000, "height": 760}
WAIT_MS = 30_000
# What Chromium logs for a refused upload (the page shows the server's message itself).
EXPECTED_ERROR = "the server responded with a status of 400 (Bad Request)"


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.is_file():
        missing(f"chromium is not installed at {CHROMIUM}")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser):
    """open_page(url) -> a page, once the page says it is ready; its console errors are checked at the end."""
    context = browser.new_context(viewport=VIEWPORT)
    problems = []

    def open_(url):
        page = context.new_page()
        page.on("console", lambda message: problems.append(message.text)
                if message.type == "error" and not message.text.endswith(EXPECTED_ERROR) else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(url)
        page.wait_for_selector("body[data-ready=true]", timeout=WAIT_MS)
        return page

    yield open_
    context.close()
    assert problems == []  # no script error, no Content-Security-Policy violation


def _draw_seven(page):
    box = page.locator("#pad").bounding_box()
    x, y = box["x"], box["y"]
    page.mouse.move(x + 70, y + 60)
    page.mouse.down()
    page.mouse.move(x + 210, y + 60, steps=12)
    page.mouse.move(x + 120, y + 240, steps=16)
    page.mouse.up()


def _prediction_after(page, action, class_names):
    """The text #prediction shows once `action` has made the page ask the server again."""
    page.evaluate("document.body.dataset.state = 'idle'")
    action()
    page.wait_for_selector("body[data-state=done]", timeout=WAIT_MS)
    assert page.locator("#error").text_content() == ""
    text = page.locator("#prediction").text_content()
    assert text in class_names
    assert page.locator("[aria-live=polite]").text_content() == text
    return text


def _lit_pixels(page, canvas_id):
    return page.evaluate(f"""() => {{
        const canvas = document.getElementById("{canvas_id}");
        const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
        let lit = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] > 60) lit++;
        return [canvas.width, canvas.height, lit];
    }}""")


def test_draw_a_digit_and_see_the_prediction(mnist_server, open_page):
    page = open_page(mnist_server.url)
    digits = [str(digit) for digit in range(10)]
    assert page.locator("#bars li").count() == 10
    _prediction_after(page, lambda: _draw_seven(page), digits)
    width, height, lit = _lit_pixels(page, "seen")
    assert (width, height) == (28, 28) and 20 < lit < 400  # the normalised stroke, not an empty field
    assert _lit_pixels(page, "saliency")[2] > 0
    assert page.locator("#bars li.top").count() == 1
    page.get_by_role("button", name="Clear").click()
    assert page.locator("#prediction").text_content() == ""


def test_choose_and_drop_a_photo(mnist_server, open_page):
    page = open_page(mnist_server.url)
    digits = [str(digit) for digit in range(10)]
    seven = encode(photo_of(datasets.load("mnist").x_test[0]))
    _prediction_after(page, lambda: page.set_input_files(
        "#file", files=[{"name": "seven.png", "mimeType": "image/png", "buffer": seven}]), digits)
    two = encode(photo_of(datasets.load("mnist").x_test[1]), "JPEG", quality=95)
    drop = f"""() => {{
        const bytes = Uint8Array.from(atob("{base64.b64encode(two).decode()}"), (c) => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], "two.jpg", {{ type: "image/jpeg" }}));
        const event = new DragEvent("drop", {{ dataTransfer: transfer, bubbles: true }});
        document.getElementById("drop").dispatchEvent(event);
    }}"""
    _prediction_after(page, lambda: page.evaluate(drop), digits)
    assert _lit_pixels(page, "seen")[2] > 20


def test_a_bad_file_shows_the_servers_error(mnist_server, open_page):
    page = open_page(mnist_server.url)
    page.evaluate("document.body.dataset.state = 'idle'")
    page.set_input_files("#file", files=[{"name": "x.png", "mimeType": "image/png", "buffer": b"not a png"}])
    page.wait_for_selector("body[data-state=done]", timeout=WAIT_MS)
    assert "cannot be read as an image" in page.locator("#error").text_content()


def test_fashion_mnist_shows_its_class_names(serve, fashion_run, open_page):
    server = serve(fashion_run)
    page = open_page(server.url)
    names = [text.strip() for text in page.locator("#bars .name").all_text_contents()]
    assert "Sneaker" in names and len(names) == 10 and "7" not in names
    boot = encode(datasets.load("fashion_mnist").x_test[0])  # an ankle boot, light on black
    shown = _prediction_after(page, lambda: page.set_input_files(
        "#file", files=[{"name": "boot.png", "mimeType": "image/png", "buffer": boot}]), names)
    assert not shown.isdigit()


def test_screenshot_of_the_page(mnist_server, open_page, tmp_path, decode_png):
    page = open_page(mnist_server.url)
    _prediction_after(page, lambda: _draw_seven(page), [str(digit) for digit in range(10)])
    path = tmp_path / "serve-page.png"
    page.screenshot(path=str(path))
    if os.environ.get("NEURONA_SCREENSHOT_DIR"):  # to look at the page by eye
        shutil.copy(path, Path(os.environ["NEURONA_SCREENSHOT_DIR"]) / path.name)
    assert decode_png(path) == (VIEWPORT["width"], VIEWPORT["height"])
    assert np.frombuffer(path.read_bytes()[:8], dtype=np.uint8).tolist() == [137, 80, 78, 71, 13, 10, 26, 10]
