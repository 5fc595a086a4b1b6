"""Every endpoint and every refusal of `neurona serve`, against a real uvicorn process."""

import http.client
import json
import uuid

import numpy as np
import pytest

from neurona import datasets
from neurona.datasets import normalize_digit_image
from neurona.models import load_model
from neurona.runs import prediction
from neurona.serve.model import file_sha256
from serve.images import encode, photo_of


@pytest.fixture(scope="module")
def mnist_test():
    return datasets.load("mnist")


def _multipart(fields):
    """(body, content type) of multipart/form-data; `fields` maps a name to (file name, type, bytes)
    or to a plain string value."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        if isinstance(value, tuple):
            filename, content_type, content = value
            head = (f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                    f"Content-Type: {content_type}\r\n\r\n")
        else:
            head, content = f'Content-Disposition: form-data; name="{name}"\r\n\r\n', value.encode()
        parts.append(f"--{boundary}\r\n{head}".encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_healthz_and_security_headers(mnist_server):
    status, headers, content = mnist_server.request("GET", "/healthz")
    assert (status, content) == (200, {"status": "ok"})
    assert headers["content-security-policy"] == "default-src 'self'"
    assert headers["x-content-type-options"] == "nosniff"


def test_model_description(mnist_server, mnist_run):
    status, headers, content = mnist_server.request("GET", "/api/model")
    assert status == 200
    assert content["name"] == mnist_run.name
    assert content["sha256"] == file_sha256(mnist_run / "model.neurona")
    assert content["input_shape"] == [784]
    assert content["class_names"] == [str(digit) for digit in range(10)]
    metrics = json.loads((mnist_run / "metrics.json").read_text())
    assert content["metrics"]["test_accuracy"] == metrics["test_accuracy"]
    assert "path" not in content and str(mnist_run) not in json.dumps(content)


def test_page_and_its_files_are_served_with_the_policy(mnist_server):
    status, headers, page = mnist_server.request("GET", "/")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert headers["content-security-policy"] == "default-src 'self'"
    html = page.decode()
    assert 'id="prediction"' in html and 'aria-live="polite"' in html
    assert "<script>" not in html and "<style" not in html and " style=" not in html  # nothing inline
    assert "http://" not in html and "https://" not in html  # no CDN
    for name, media_type in (("app.js", "text/javascript"), ("style.css", "text/css")):
        assert f"/static/{name}" in html
        status, headers, content = mnist_server.request("GET", f"/static/{name}")
        assert status == 200 and headers["content-type"].startswith(media_type) and content


def test_a_photo_is_normalised_as_neurona_predict_does(mnist_server, mnist_run, mnist_test):
    photo = photo_of(mnist_test.x_test[0])
    body = encode(np.stack([photo] * 3, axis=-1), "JPEG", quality=95)
    status, _, answer = mnist_server.post_image(body, "image/jpeg")
    assert status == 200, answer
    from PIL import Image
    import io

    expected_image = normalize_digit_image(Image.open(io.BytesIO(body)))
    assert np.array_equal(np.array(answer["image"], dtype=np.uint8), expected_image)
    model = load_model(mnist_run / "model.neurona")
    expected = prediction.predict_probabilities(model, expected_image[np.newaxis])[0]
    (result,) = answer["predictions"]
    np.testing.assert_allclose(result["probabilities"], expected, rtol=1e-6, atol=1e-9)
    assert result["class_index"] == int(np.argmax(expected))
    assert result["label"] == str(result["class_index"])
    assert answer["model"]["sha256"] == file_sha256(mnist_run / "model.neurona")
    assert "saliency" not in answer


@pytest.mark.parametrize("image_format, content_type", [("PNG", "image/png"), ("BMP", "image/bmp")])
def test_each_image_type_and_the_saliency(mnist_server, mnist_test, image_format, content_type):
    body = encode(mnist_test.x_test[1], image_format)  # white on black, as the page draws
    status, _, answer = mnist_server.post_image(body, content_type, path="/api/predict?saliency=1")
    assert status == 200, answer
    saliency = np.array(answer["saliency"])
    assert saliency.shape == (28, 28) and saliency.min() >= 0 and saliency.max() == pytest.approx(1.0)
    assert len(answer["predictions"][0]["probabilities"]) == 10


def test_multipart_upload(mnist_server, mnist_test):
    body, content_type = _multipart({"image": ("seven.png", "image/png", encode(photo_of(mnist_test.x_test[0])))})
    status, _, answer = mnist_server.request("POST", "/api/predict", body, {"Content-Type": content_type})
    assert status == 200, answer
    assert np.array(answer["image"]).shape == (28, 28)


def test_instances_are_predicted_in_one_batch(mnist_server, mnist_run, mnist_test):
    x = (mnist_test.x_test[:5].reshape(5, 784) / 255).round(4)
    status, _, answer = mnist_server.post_json({"instances": x.tolist()})
    assert status == 200, answer
    model = load_model(mnist_run / "model.neurona")
    expected = model.predict(x.astype(np.float32), batch_size=5)
    got = np.array([result["probabilities"] for result in answer["predictions"]])
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-9)
    assert [result["class_index"] for result in answer["predictions"]] == list(np.argmax(expected, axis=1))
    assert "image" not in answer


def _post_raw(server, body_chunks, content_type="image/png"):
    """A chunked POST (no Content-Length) of `body_chunks`; (status, JSON)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request("POST", "/api/predict", body=iter(body_chunks), headers={"Content-Type": content_type},
                           encode_chunked=True)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    except (ConnectionError, http.client.HTTPException):
        return None, None
    finally:
        connection.close()


def test_a_body_over_the_limit_is_refused_from_its_content_length(mnist_server):
    connection = http.client.HTTPConnection("127.0.0.1", mnist_server.port, timeout=30)
    try:
        # Only the headers are sent: the answer must come without the body being read.
        connection.putrequest("POST", "/api/predict")
        connection.putheader("Content-Type", "image/png")
        connection.putheader("Content-Length", str(3 * 1024 * 1024))
        connection.endheaders()
        response = connection.getresponse()
        assert response.status == 413
        assert "2,097,152 bytes" in json.loads(response.read())["error"]
    finally:
        connection.close()
    assert mnist_server.healthy()


def test_a_chunked_body_over_the_limit_is_refused_while_streaming(mnist_server):
    status, answer = _post_raw(mnist_server, [b"\0" * 65536] * 40)  # 2.5 MiB in chunks
    if status is not None:  # the server may also close the connection once it has answered
        assert status == 413 and "at most 2,097,152 bytes" in answer["error"]
    assert mnist_server.healthy()


BAD_INPUTS = [
    # (what, content type, body, status, words of the error)
    ("text", "text/plain", b"7", 415, "received Content-Type text/plain"),
    ("no type", None, b"7", 415, "received no Content-Type"),
    ("a GIF", "image/gif", b"GIF89a", 415, "image/gif"),
    ("garbage", "image/png", b"not an image at all", 400, "cannot be read as an image"),
    ("empty", "image/png", b"", 400, "empty"),
    ("truncated", "image/png", None, 400, "image"),
    ("blank", "image/png", None, 400, "no ink"),
    ("a bomb", "image/png", None, 400, "decompression bomb"),
    ("no boundary", "multipart/form-data", b"--x\r\n", 400, "multipart"),
    ("not JSON", "application/json", b"{instances:", 400, "not valid JSON"),
    ("a list", "application/json", b"[[0.5]]", 400, "received list"),
    ("no instances key", "application/json", b'{"x": []}', 400, "keys ['x']"),
    ("empty instances", "application/json", b'{"instances": []}', 400, "instances=[]"),
    ("wrong shape", "application/json", json.dumps({"instances": [[0.5] * 10]}).encode(), 400, "shape [10]"),
    ("ragged", "application/json", json.dumps({"instances": [[0.5] * 784, [0.5]]}).encode(), 400, "ragged"),
    ("strings", "application/json", json.dumps({"instances": [["a"] * 784]}).encode(), 400, "numbers only"),
    ("nulls", "application/json", json.dumps({"instances": [[None] * 784]}).encode(), 400, "numbers only"),
    ("NaN", "application/json", b'{"instances": [[' + b"0.5, " * 783 + b"NaN]]}", 400, "NaN or infinity"),
    ("infinity", "application/json", b'{"instances": [[' + b"Infinity, " * 783 + b"1]]}", 400, "NaN or infinity"),
    ("overflow", "application/json", b'{"instances": [[' + b"1e999, " * 783 + b"1]]}", 400, "NaN or infinity"),
    ("too many", "application/json", json.dumps({"instances": [[0] * 784] * 257}).encode(), 400, "At most 256"),
    ("deep", "application/json", b'{"instances": ' + b"[" * 100000 + b"]" * 100000 + b"}", 400, "JSON"),
]


def _bad_body(what, body):
    if what == "truncated":
        return encode(np.full((60, 60), 200, dtype=np.uint8))[:60]
    if what == "blank":
        return encode(np.full((60, 60), 255, dtype=np.uint8))
    if what == "a bomb":  # 25 megapixels of one colour: 24 kB of PNG
        return encode(np.zeros((5000, 5000), dtype=np.uint8))
    return body


@pytest.mark.parametrize("what, content_type, body, status, words", BAD_INPUTS, ids=[row[0] for row in BAD_INPUTS])
def test_bad_input_is_refused_and_the_server_stays_up(mnist_server, what, content_type, body, status, words):
    headers = {"Content-Type": content_type} if content_type else {}
    got, response_headers, answer = mnist_server.request("POST", "/api/predict", _bad_body(what, body), headers)
    assert got == status, answer
    assert set(answer) == {"error"} and words in answer["error"]
    assert response_headers["content-security-policy"] == "default-src 'self'"
    assert mnist_server.healthy()


def test_multipart_without_the_image_field(mnist_server):
    body, content_type = _multipart({"picture": ("a.png", "image/png", b"x"), "note": "hi"})
    status, _, answer = mnist_server.request("POST", "/api/predict", body, {"Content-Type": content_type})
    assert status == 400 and "field 'image'" in answer["error"] and "picture" in answer["error"]
    body, content_type = _multipart({"image": ("a.txt", "text/plain", b"7")})
    status, _, answer = mnist_server.request("POST", "/api/predict", body, {"Content-Type": content_type})
    assert status == 415 and "text/plain" in answer["error"]


@pytest.mark.parametrize("method, path, status", [
    ("GET", "/api/models", 404), ("GET", "/static/../model.neurona", 404), ("GET", "/static/secret.txt", 404),
    ("POST", "/api/model", 405), ("PUT", "/api/predict", 405), ("DELETE", "/api/model", 405),
    ("GET", "/api/predict", 405),
])
def test_no_endpoint_loads_lists_or_replaces_models(mnist_server, method, path, status):
    got, _, answer = mnist_server.request(method, path, b"{}" if method in ("POST", "PUT") else None)
    assert got == status and "error" in answer
    assert mnist_server.healthy()
