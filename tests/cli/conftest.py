"""Fixtures of the command tests: one small MNIST run to share (`run_cli` is in tests/conftest.py)."""

import pytest

from neurona.cli.main import main


@pytest.fixture(scope="session")
def mnist_run(data_dir, tmp_path_factory):
    """A run folder trained from the CLI on 3,000 MNIST images for 2 epochs (once per session)."""
    pytest.importorskip("matplotlib")
    run_dir = tmp_path_factory.mktemp("mnist") / "run"
    code = main(["train", "--limit-train", "3000", "--limit-test", "500", "--epochs", "2", "--out", str(run_dir),
                 "--quiet"])
    assert code == 0
    return run_dir


@pytest.fixture(scope="session")
def cnn_run(data_dir, tmp_path_factory):
    """A run folder of the mnist-cnn recipe cut short: one epoch on 600 MNIST images (once per session)."""
    pytest.importorskip("matplotlib")
    run_dir = tmp_path_factory.mktemp("mnist-cnn") / "run"
    code = main(["train", "mnist-cnn", "--limit-train", "600", "--limit-test", "200", "--epochs", "1",
                 "--out", str(run_dir), "--quiet"])
    assert code == 0
    return run_dir


@pytest.fixture(scope="session")
def cnn_model_file(cnn_run, tmp_path_factory):
    """The mnist-cnn run's model alone, outside any run folder: only its input shape says what it takes."""
    import shutil

    path = tmp_path_factory.mktemp("cnn-model") / "cnn.neurona"
    shutil.copy(cnn_run / "model.neurona", path)
    return path


@pytest.fixture
def striped_npz(tmp_path):
    """A 4-class 8x8 dataset as .npz (see tests/runs/conftest.py)."""
    from runs.synthetic import make_striped, save_npz

    return save_npz(tmp_path / "striped.npz", make_striped(), ["top", "upper", "lower", "bottom"])
