"""`neurona serve`: a trained model behind an HTTP API and a draw-a-digit page.

    from neurona.serve import create_app
    app = create_app("runs/20250101-120000-seed003")     # an ASGI app; run it under uvicorn

Modules, one concept each:

- `model`: what is served (the model file, its checksum, class names, metrics) and the
  predictor each worker owns: its own copy of the model, so no two requests share a buffer.
- `inputs`: request bodies (an image, or JSON instances) checked and made into model inputs.
- `pool`: the bounded worker pool that runs predictions off the event loop, with a time limit.
- `app`: the Starlette application, its routes, limits and headers.
- `static/`: the page (HTML, JavaScript and CSS files, no CDN).

Needs the `serve` extra (`pip install 'neurona[serve]'`).
"""


def create_app(model_path, **options):
    """The ASGI application serving `model_path` (see `neurona.serve.app.create_app`)."""
    from neurona.serve.app import create_app as create

    return create(model_path, **options)
