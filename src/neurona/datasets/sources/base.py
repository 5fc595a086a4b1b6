"""The interface of a dataset source."""


class Source:
    """One place a named dataset may come from.

    Subclasses set `name` (its key in NEURONA_DATASET_SOURCES), `label` (a few words for
    messages) and `fetches` (True when the data comes from outside this machine and is kept
    in the cache), and implement `read`.
    """

    name = ""
    label = ""
    fetches = False

    def describe(self, spec):
        """Where this source looks for `spec`, in words (becomes `Dataset.source`)."""
        return self.label

    def location(self, spec):
        """The local file or folder this source reads for `spec`, or None (remote sources)."""
        return None

    def read(self, spec, progress=None):
        """{"x_train", "y_train", "x_test", "y_test"} arrays of the dataset `spec` describes.

        Raises SourceUnavailable when the source does not have it here, DataFormatError when
        what it has is broken. `progress(label, done, total)` is called during downloads.
        """
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}({self.name!r})"


def report(progress, label, done, total):
    """Call `progress(label, done, total)` if a progress callback was given (total may be None)."""
    if progress is not None:
        progress(label, done, total)


def last_line(text):
    """The last non-blank line of a command's output (where pip and apt put the error)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"
