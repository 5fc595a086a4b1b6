import csv

import numpy as np
import pytest

from neurona.callbacks import CSVLogger, LambdaCallback


def read_rows(path, separator=","):
    with open(path, newline="") as f:
        return list(csv.reader(f, delimiter=separator))


def test_header_and_one_row_per_epoch(make_model, data, tmp_path):
    x, y = data
    path = tmp_path / "log.csv"
    logger = CSVLogger(path)  # a PathLike works
    history = make_model().fit(x, y, epochs=3, verbose=0, validation_split=0.25, callbacks=[logger])

    rows = read_rows(path)
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert [row[0] for row in rows[1:]] == ["0", "1", "2"]
    for epoch, row in enumerate(rows[1:]):
        for key, text in zip(rows[0][1:], row[1:]):
            assert float(text) == pytest.approx(history.history[key][epoch], rel=1e-12)
    assert logger.csv_file.closed


def test_separator(make_model, data, tmp_path):
    x, y = data
    path = str(tmp_path / "log.tsv")
    make_model().fit(x, y, epochs=2, verbose=0, callbacks=[CSVLogger(path, separator="\t")])
    lines = open(path).read().splitlines()
    assert lines[0] == "epoch\taccuracy\tloss"
    assert len(lines) == 3 and all(line.count("\t") == 2 for line in lines)


def test_append_continues_without_repeating_the_header(make_model, data, tmp_path):
    x, y = data
    path = tmp_path / "log.csv"
    model = make_model()
    model.fit(x, y, epochs=2, verbose=0, callbacks=[CSVLogger(path)])
    model.fit(x, y, epochs=4, initial_epoch=2, verbose=0, callbacks=[CSVLogger(path, append=True)])
    rows = read_rows(path)
    assert rows[0] == ["epoch", "accuracy", "loss"]
    assert [row[0] for row in rows[1:]] == ["0", "1", "2", "3"]


def test_append_to_a_missing_or_empty_file_writes_the_header(make_model, data, tmp_path):
    x, y = data
    path = tmp_path / "new.csv"
    make_model().fit(x, y, epochs=1, verbose=0, callbacks=[CSVLogger(path, append=True)])
    assert read_rows(path)[0] == ["epoch", "accuracy", "loss"]
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    make_model().fit(x, y, epochs=1, verbose=0, callbacks=[CSVLogger(empty, append=True)])
    assert read_rows(empty)[0] == ["epoch", "accuracy", "loss"]


def test_without_append_the_file_is_overwritten(make_model, data, tmp_path):
    x, y = data
    path = tmp_path / "log.csv"
    path.write_text("old,content\n1,2\n")
    logger = CSVLogger(path)
    model = make_model()
    model.fit(x, y, epochs=2, verbose=0, callbacks=[logger])
    model.fit(x, y, epochs=1, verbose=0, callbacks=[logger])  # the same instance, reused
    rows = read_rows(path)
    assert rows == [rows[0], rows[1]] and rows[0] == ["epoch", "accuracy", "loss"]


def test_rows_are_flushed_each_epoch(make_model, data, tmp_path):
    x, y = data
    path = tmp_path / "log.csv"
    seen = []
    peek = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(len(read_rows(path))))
    make_model().fit(x, y, epochs=3, verbose=0, callbacks=[CSVLogger(path), peek])
    assert seen == [2, 3, 4]  # header + rows so far, readable while training runs


def test_missing_keys_and_array_values(make_model, data, tmp_path):
    x, y = data
    path = tmp_path / "log.csv"

    def edit(epoch, logs):
        logs["lr"] = np.float32(0.5) if epoch == 0 else np.array(0.25)
        logs["vector"] = np.array([1, 2])
        if epoch == 1:
            del logs["accuracy"]

    callbacks = [LambdaCallback(on_epoch_end=edit), CSVLogger(path)]
    make_model().fit(x, y, epochs=2, verbose=0, callbacks=callbacks)
    rows = read_rows(path)
    assert rows[0] == ["epoch", "accuracy", "loss", "lr", "vector"]
    assert rows[1][3] == "0.5" and rows[2][3] == "0.25"
    assert rows[2][1] == "NA"
    assert rows[1][4] == '"[1, 2]"'
