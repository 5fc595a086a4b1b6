import numpy as np
import pytest


def test_predict_test_image_99_like_seed_003(mnist_run, run_cli, tmp_path):
    result = run_cli("predict", mnist_run, "--index", "99", "--show", "--out-dir", tmp_path)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith("mnist test image 99 (label 9): ")
    assert len([line for line in lines if line.strip().endswith("%") or "%  #" in line]) == 10
    figure = tmp_path / "mnist_test_99.prediction.png"
    assert f"figure: {figure}" in result.out
    image_module = pytest.importorskip("PIL.Image")
    with image_module.open(figure) as image:
        image.load()
        assert image.format == "PNG" and image.size[0] > 400


def test_predict_a_users_photo_of_a_digit(mnist_run, run_cli, tmp_path, data_dir):
    image_module = pytest.importorskip("PIL.Image")
    from neurona import datasets

    test = datasets.load("mnist")
    # A "photo": test image 0 (a 7) enlarged, dark ink on light paper, in RGB.
    photo = 255 - np.kron(test.x_test[0], np.ones((6, 6), dtype=np.uint8))
    image_module.fromarray(np.stack([photo] * 3, axis=-1)).save(tmp_path / "seven.jpg", quality=95)
    result = run_cli("predict", mnist_run / "model.neurona", tmp_path / "seven.jpg", "--top", "3", "--show",
                     "--out-dir", tmp_path)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith(f"{tmp_path / 'seven.jpg'}: 7 (")
    assert len(lines) == 1 + 3 + 1
    assert (tmp_path / "seven.prediction.png").is_file()


def test_several_images_and_indices_at_once(mnist_run, run_cli, tmp_path):
    result = run_cli("predict", mnist_run, "--index", "0", "--index", "1", "--top", "1")
    assert result.code == 0, result.err
    assert [line.split(":")[0] for line in result.out.splitlines()[::2]] == [
        "mnist test image 0 (label 7)", "mnist test image 1 (label 2)"]


def test_predict_with_a_convolutional_model_file_reads_images_with_a_channel(cnn_model_file, run_cli, tmp_path,
                                                                              data_dir):
    image_module = pytest.importorskip("PIL.Image")
    from neurona import datasets

    result = run_cli("predict", cnn_model_file, "--data", "mnist", "--index", "0", "--show", "--out-dir", tmp_path)
    assert result.code == 0, result.err
    assert result.out.splitlines()[0].startswith("mnist test image 0 (label 7): ")
    assert (tmp_path / "mnist_test_0.prediction.png").is_file()
    photo = 255 - np.kron(datasets.load("mnist").x_test[0], np.ones((4, 4), dtype=np.uint8))
    image_module.fromarray(photo).save(tmp_path / "seven.png")
    result = run_cli("predict", cnn_model_file, tmp_path / "seven.png", "--top", "2", "--show", "--out-dir", tmp_path)
    assert result.code == 0, result.err
    assert len(result.out.splitlines()) == 1 + 2 + 1
    with image_module.open(tmp_path / "seven.prediction.png") as image:
        image.load()
        assert image.size[0] > 400


def test_predict_with_a_convolutional_run(cnn_run, run_cli):
    result = run_cli("predict", cnn_run, "--index", "99", "--top", "1")
    assert result.code == 0, result.err
    assert result.out.startswith("mnist test image 99 (label 9): ")
