"""Limits applied while reading model files; module constants so a caller can tighten them.

Every limit is checked before the bytes it guards are read or the arrays it guards are
allocated. Raise them (e.g. `neurona.saving.limits.MAX_FILE_BYTES = 16 * 2**30`) to load a
model larger than the defaults allow.
"""

# Largest file load_model opens at all.
MAX_FILE_BYTES = 4 * 2**30
# Largest total of uncompressed zip members (and of tensor bytes declared in a header).
MAX_UNCOMPRESSED_BYTES = 4 * 2**30
# Uncompressed / compressed size above which a member of more than 1 MiB is taken for a zip bomb.
MAX_COMPRESSION_RATIO = 100
# Members in a zip archive (ours has 2, Keras' 3).
MAX_MEMBERS = 8
# Largest JSON document (architecture, training config, safetensors header) and its nesting.
MAX_JSON_BYTES = 16 * 2**20
MAX_JSON_DEPTH = 64
# Layers in one model, tensors in one file.
MAX_LAYERS = 10_000
MAX_TENSORS = 100_000
# Layer calls in one model (a functional graph's inbound nodes, nested models' counted too),
# tensors one call reads (a merge layer's inputs), and models nested inside models.
MAX_CALLS = 10_000
MAX_CALL_INPUTS = 1_000
MAX_NESTING = 16
# Values of the weights a configuration defines by itself, without arrays in the file (Keras'
# Normalization(mean=..., variance=...)).
MAX_CONFIG_WEIGHT_ELEMENTS = 2**24
