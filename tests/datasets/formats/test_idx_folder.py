import numpy as np
import pytest

from neurona.datasets import DataFormatError, load
from neurona.datasets.formats.idx_folder import read_idx_folder, write_idx_folder

from ..builders import files_in, small_dataset, small_parts, write_idx_gz


@pytest.mark.parametrize("compress", [True, False])
def test_round_trip(tmp_path, compress):
    dataset = small_dataset()
    written = write_idx_folder(dataset, tmp_path, compress=compress)
    assert [path.name for path in written][0] == "train-images-idx3-ubyte" + (".gz" if compress else "")
    loaded = load(tmp_path)
    for part, array in dataset.parts().items():
        np.testing.assert_array_equal(getattr(loaded, part), array)
    assert loaded.checksums == dataset.checksums


def test_rgb_images_round_trip_as_idx4(tmp_path):
    dataset = small_dataset(image_shape=(8, 8, 3))
    write_idx_folder(dataset, tmp_path)
    assert "train-images-idx4-ubyte.gz" in files_in(tmp_path)
    np.testing.assert_array_equal(load(tmp_path, format="idx").x_train, dataset.x_train)


def test_dotted_names_and_raw_files_are_found(tmp_path):
    parts = small_parts()
    write_idx_gz(tmp_path, parts, names={"x_train": "train-images.idx3-ubyte.gz", "y_train": "train-labels.idx1-ubyte.gz",
                                        "x_test": "t10k-images.idx3-ubyte.gz", "y_test": "t10k-labels.idx1-ubyte.gz"})
    arrays, _ = read_idx_folder(tmp_path)
    np.testing.assert_array_equal(arrays["y_test"], parts["y_test"])


def test_a_missing_file_is_named(tmp_path):
    parts = small_parts()
    write_idx_gz(tmp_path, parts)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match="no t10k-labels-idx.-ubyte"):
        read_idx_folder(tmp_path)


def test_image_and_label_counts_that_differ(tmp_path):
    parts = small_parts()
    parts["y_train"] = parts["y_train"][:-3]
    write_idx_gz(tmp_path, parts)
    expected = r"train-labels-idx1-ubyte.gz: 37 labels but .*train-images-idx3-ubyte.gz holds 40 images"
    with pytest.raises(DataFormatError, match=expected):
        read_idx_folder(tmp_path)
