"""The one error a model file can raise when it is refused."""


class ModelFileError(ValueError):
    """A model or weights file that cannot be read safely: truncated, too large, not ours,
    holding something we never load (pickles, code, unknown layers), or not matching the
    architecture it declares. The message names the file and what was wrong with it.
    """
