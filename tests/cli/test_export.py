import numpy as np
import pytest

from neurona.cli.main import main
from neurona.layers import Dense, Flatten
from neurona.models import Sequential, load_model


@pytest.fixture
def model_file(tmp_path):
    model = Sequential([Flatten(input_shape=(4, 4)), Dense(5, activation="relu"), Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(np.random.rand(16, 4, 4), np.arange(16) % 3, epochs=1, verbose=0)
    path = tmp_path / "model.neurona"
    model.save(path)
    return path, model


def test_onnx_is_the_default_and_lands_next_to_the_model(model_file, capsys):
    onnxruntime = pytest.importorskip("onnxruntime")
    path, model = model_file
    assert main(["export", str(path)]) == 0
    out = path.with_suffix(".onnx")
    assert f"Wrote {out} (onnx)." in capsys.readouterr().out
    x = np.random.default_rng(0).random((10, 4, 4), dtype=np.float32)
    session = onnxruntime.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(None, {"input": x})[0], model.predict(x), rtol=0, atol=1e-5)


def test_issue_5_spelling_export_model_path(model_file):
    pytest.importorskip("onnx")
    path, _ = model_file
    assert main(["export", "model", str(path), "--format", "onnx"]) == 0
    assert path.with_suffix(".onnx").is_file()


@pytest.mark.parametrize("form, suffix", [("keras", ".keras"), ("h5", ".h5"), ("neurona", ".neurona")])
def test_converts_between_model_formats(form, suffix, model_file, tmp_path):
    path, model = model_file
    out = tmp_path / "converted" / f"copy{suffix}"
    assert main(["export", str(path), "--format", form, "--out", str(out)]) == 0
    loaded = load_model(out)
    x = np.random.default_rng(1).random((5, 4, 4), dtype=np.float32)
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert loaded.optimizer.iterations == model.optimizer.iterations


def test_the_format_decides_even_against_the_suffix(model_file, tmp_path):
    path, _ = model_file
    out = tmp_path / "model.bin"
    assert main(["export", str(path), "--format", "h5", "--out", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89HDF\r\n\x1a\n"


def test_no_overwrite_keeps_an_existing_file(model_file, tmp_path, capsys):
    path, _ = model_file
    out = tmp_path / "copy.keras"
    out.write_text("keep me")
    assert main(["export", str(path), "--format", "keras", "--out", str(out), "--no-overwrite"]) == 1
    assert out.read_text() == "keep me"
    assert "already exists" in capsys.readouterr().err


def test_writing_over_the_model_itself_is_a_usage_error(model_file, capsys):
    path, _ = model_file
    assert main(["export", str(path), "--format", "neurona", "--out", str(path)]) == 2
    assert "is the model file itself" in capsys.readouterr().err


def test_a_missing_model_is_a_usage_error(tmp_path, capsys):
    assert main(["export", str(tmp_path / "nope.neurona")]) == 2
    assert "is not a file" in capsys.readouterr().err


def test_an_unknown_format_is_a_usage_error(model_file):
    assert main(["export", str(model_file[0]), "--format", "pickle"]) == 2


def test_a_file_that_is_not_a_model_is_one_line_on_stderr(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("hola")
    assert main(["export", str(tmp_path / "notes.txt"), "--format", "neurona"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "is not a model file neurona reads" in err
    assert err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
