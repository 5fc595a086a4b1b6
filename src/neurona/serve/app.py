"""The Starlette application: the page, `/healthz`, `/api/model` and `/api/predict`.

    GET  /                 the draw-a-digit page (its JavaScript and CSS under /static/)
    GET  /healthz          {"status": "ok"}
    GET  /api/model        name, input shape, class names, file checksum, training metrics
    POST /api/predict      an image (image/png, image/jpeg, image/bmp, or multipart field
                           `image`), or JSON {"instances": [...]}; `?saliency=1` adds, for an
                           image, the gradient of the top class's score as a heat map

The model is fixed when the app is made; no endpoint loads, replaces or lists models or files.
Every error is JSON `{"error": "..."}`; bodies over the limit are refused from their
Content-Length before they are read, and chunked ones as soon as they pass the limit.
"""

import contextlib
import json
import logging
from pathlib import Path

import numpy as np
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from neurona.serve import inputs
from neurona.serve.model import load_predictors
from neurona.serve.pool import Overloaded, TimedOut, WorkerPool

MAX_BODY_SIZE = 2 * 1024 * 1024
MAX_INSTANCES = 256
CONTENT_SECURITY_POLICY = "default-src 'self'"
STATIC_DIR = Path(__file__).parent / "static"
STATIC_FILES = {"app.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8",
                "icon.svg": "image/svg+xml"}
ENDPOINTS = "GET /, GET /healthz, GET /api/model, POST /api/predict"

logger = logging.getLogger("neurona.serve")


def create_app(model_path, threads=2, max_queue=64, timeout=10.0, max_body_size=MAX_BODY_SIZE,
               max_instances=MAX_INSTANCES, max_pixels=inputs.MAX_PIXELS):
    """The ASGI app serving the run folder or model file at `model_path`.

    Args:
        threads: prediction worker threads, each with its own copy of the model.
        max_queue: predictions that may wait for a worker; beyond them requests get 503.
        timeout: seconds a prediction may take, waiting included (then 503).
        max_body_size: bytes a request body may have (then 413).
        max_instances: instances one JSON request may hold (then 400).
        max_pixels: pixels an uploaded image may have (then 400).

    Raises:
        FileNotFoundError, ValueError, ModelFileError: the model cannot be served (the message says why).
    """
    for name, value in (("max_body_size", max_body_size), ("max_instances", max_instances),
                        ("max_pixels", max_pixels)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer. Received: {name}={value!r}")
    card, predictors = load_predictors(model_path, threads)
    pool = WorkerPool(predictors, max_queue=max_queue, timeout=timeout)
    page = (STATIC_DIR / "index.html").read_bytes()
    static = {name: ((STATIC_DIR / name).read_bytes(), media_type) for name, media_type in STATIC_FILES.items()}
    model_json = card.public()

    async def index(request):
        return Response(page, media_type="text/html; charset=utf-8")

    async def static_file(request):
        name = request.path_params["name"]
        if name not in static:
            return _error(404, f"No static file {name!r}; the page's files are {', '.join(sorted(static))}.")
        content, media_type = static[name]
        return Response(content, media_type=media_type, headers={"Cache-Control": "no-cache"})

    async def healthz(request):
        return JSONResponse({"status": "ok"})

    async def model_info(request):
        return JSONResponse(model_json)

    async def predict(request):
        try:
            return await _predict(request)
        except Exception as error:  # noqa: BLE001 - every failure is a JSON answer, never a traceback
            return _error_response(error, max_body_size)

    async def _predict(request):
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        saliency = request.query_params.get("saliency", "0").lower() in ("1", "true", "yes")
        if content_type in inputs.IMAGE_TYPES:
            return await _predict_image(await request.body(), saliency)
        if content_type == "multipart/form-data":
            return await _predict_image(await _form_image(request), saliency)
        if content_type == "application/json":
            body = await request.body()
            return _json(await pool.run(_predict_instances, body, max_instances))
        received = f"Content-Type {content_type}" if content_type else "no Content-Type"
        return _error(415, f"Expected an image (image/png, image/jpeg, image/bmp, or multipart/form-data with "
                           f"the field 'image') or application/json {{\"instances\": [...]}}; received {received}.")

    async def _form_image(request):
        async with request.form(max_files=1, max_fields=8, max_part_size=max_body_size) as form:
            upload = form.get("image")
            if not isinstance(upload, UploadFile):
                fields = sorted(form.keys())
                raise inputs.BadInput(f"Expected a file in the multipart field 'image'; received the fields "
                                      f"{fields or 'none'}.")
            part_type = (upload.content_type or "").split(";")[0].strip().lower()
            if part_type not in inputs.IMAGE_TYPES + ("application/octet-stream", ""):
                raise _UnsupportedPart(part_type)
            return await upload.read()

    async def _predict_image(body, saliency):
        return _json(await pool.run(_predict_image_job, body, saliency, max_pixels))

    routes = [
        Route("/", index, methods=["GET"]),
        Route("/static/{name:str}", static_file, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/api/model", model_info, methods=["GET"]),
        Route("/api/predict", predict, methods=["POST"]),
    ]

    async def on_error(request, error):
        return _error_response(error, max_body_size)

    app = _App(routes=routes, lifespan=_lifespan(pool),
               exception_handlers={HTTPException: on_error, Exception: on_error})
    app.state.max_body_size = max_body_size
    app.state.card = card
    app.state.pool = pool
    return app


class _App(Starlette):
    """Starlette with the body limit outside everything, and the security headers on every
    response, errors of its outermost middleware included.

    Starlette's own `max_body_size` answers in plain text (it replaces any response to a
    request whose Content-Length is over the limit), so the limit is kept here, in JSON.
    """

    def build_middleware_stack(self):
        return SecurityHeaders(BodyLimit(super().build_middleware_stack(), self.state.max_body_size))


class BodyTooLarge(Exception):
    """A streamed (chunked) body went past the limit while it was read."""


class BodyLimit:
    """ASGI middleware: a body whose Content-Length is over `max_body_size` is answered 413
    before any of it is read; any other body raises `BodyTooLarge` from `receive` as soon as
    the bytes received pass the limit (the endpoint answers 413)."""

    def __init__(self, app, max_body_size):
        self.app = app
        self.max_body_size = max_body_size

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.max_body_size
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = int(value) if value.isdigit() else None
                if length is not None and length > limit:
                    response = _too_large(limit, f"Content-Length is {length:,} bytes")
                    return await response(scope, receive, send)
        received = 0

        async def receive_with_limit():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge()
            return message

        return await self.app(scope, receive_with_limit, send)


class SecurityHeaders:
    """ASGI middleware: Content-Security-Policy `default-src 'self'` (the page loads nothing
    from elsewhere and runs no inline script), no MIME sniffing, no framing."""

    headers = [(b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
               (b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
               (b"referrer-policy", b"no-referrer")]

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": list(message.get("headers", [])) + self.headers}
            await send(message)

        return await self.app(scope, receive, send_with_headers)


class _UnsupportedPart(Exception):
    def __init__(self, part_type):
        super().__init__(f"Expected the multipart field 'image' to be image/png, image/jpeg or image/bmp; "
                         f"received {part_type}.")


def _lifespan(pool):
    """Close the worker pool when the server shuts down."""

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        pool.close()

    return lifespan


# Jobs: run on a worker thread with that worker's own predictor; they return the answer's JSON
# bytes, so that the event loop only sends them ---------------------------------------------------

def _predict_image_job(predictor, body, saliency, max_pixels):
    image = inputs.decode_image(body, predictor.card, max_pixels)
    probabilities = predictor.probabilities_of_images(image[None])
    answer = _answer(probabilities, predictor.card)
    answer["image"] = _plane(image).tolist()
    if saliency:
        heat = _plane(predictor.saliency(image, int(probabilities[0].argmax())))
        answer["saliency"] = np.round(heat, 4).tolist()
    return _dumps(answer)


def _predict_instances(predictor, body, max_instances):
    instances = inputs.parse_instances(body, predictor.card.input_shape, max_instances)
    return _dumps(_answer(predictor.probabilities_of_inputs(instances), predictor.card))


def _plane(image):
    """(rows, cols) for a grayscale image with or without its channel axis; RGB stays (rows, cols, 3)."""
    return image[..., 0] if image.ndim == 3 and image.shape[2] == 1 else image


def _answer(probabilities, card):
    """{"predictions": [{"class_index", "label", "probabilities"}], "model": {"name", "sha256"}}."""
    predictions = []
    for row in probabilities:
        index = int(row.argmax())
        predictions.append({"class_index": index, "label": card.class_names[index], "probabilities": row.tolist()})
    return {"predictions": predictions, "model": {"name": card.name, "sha256": card.sha256}}


def _dumps(answer):
    return json.dumps(answer, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")


def _json(body):
    return Response(body, media_type="application/json")


# Errors ------------------------------------------------------------------------------------------

def _error(status, message, headers=None):
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def _too_large(limit, received):
    return _error(413, f"The request body may have at most {limit:,} bytes; {received}.",
                  headers={"Connection": "close"})


def _error_response(error, max_body_size):
    if isinstance(error, inputs.BadInput):
        return _error(400, str(error))
    if isinstance(error, BodyTooLarge):
        return _too_large(max_body_size, "the body went past that")
    if isinstance(error, (Overloaded, TimedOut)):
        return _error(503, str(error), headers={"Retry-After": "1"})
    if isinstance(error, _UnsupportedPart):
        return _error(415, str(error))
    if isinstance(error, ClientDisconnect):
        return _error(400, "The client closed the connection before the body was complete.")
    if isinstance(error, HTTPException):
        if error.status_code == 404:
            return _error(404, f"No such endpoint. The endpoints are {ENDPOINTS}.")
        if error.status_code == 405:
            return _error(405, f"Method not allowed here. The endpoints are {ENDPOINTS}.", headers=error.headers)
        if error.status_code == 400:  # multipart parsing (Starlette's message says what is wrong)
            return _error(400, f"The multipart body cannot be read: {error.detail}")
        return _error(error.status_code, str(error.detail))
    logger.error("Unexpected error while answering a request: %s: %s", type(error).__name__, error)
    return _error(500, f"Internal error ({type(error).__name__}); the server is still running.")
