import numpy as np
import pytest

from neurona.datasets import DataFormatError, load
from neurona.datasets.formats.csv_files import (
    read_labelled_csv,
    read_split_csv_folder,
    read_table,
    write_labelled_csv,
    write_split_csv,
)

from ..builders import small_dataset


def test_seed000_layout_round_trip(tmp_path):
    dataset = small_dataset(name="mnist")
    written = write_labelled_csv(dataset, tmp_path)
    assert [path.name for path in written] == ["mnist_train.csv", "mnist_test.csv"]
    lines = written[0].read_text().splitlines()
    # pandas.read_csv takes the first line as the header: it must not be a sample.
    assert lines[0].startswith("label,pixel0,pixel1,") and len(lines) == 1 + 40
    assert lines[1].split(",")[0] == str(dataset.y_train[0]) and len(lines[1].split(",")) == 785
    loaded = load(tmp_path)
    assert loaded.source == f"csv {tmp_path}"
    assert loaded.checksums == dataset.checksums


def test_seed001_layout_round_trip_and_the_tutorials_reader(tmp_path):
    dataset = small_dataset(image_shape=(64, 64, 3), num_classes=2, n_train=5, n_test=3)
    write_split_csv(dataset, tmp_path)
    # The tutorial's own code: np.loadtxt, then reshape to (m, 64, 64, 3).
    train = np.loadtxt(tmp_path / "train_images.csv", delimiter=",")
    labels = np.loadtxt(tmp_path / "train_labels.csv", delimiter=",")
    assert train.shape == (5, 12288) and labels.shape == (5,)
    np.testing.assert_array_equal(train.reshape(5, 64, 64, 3), dataset.x_train)
    loaded = load(tmp_path)
    assert loaded.source == f"csv-split {tmp_path}" and loaded.image_shape == (64, 64, 3)
    assert loaded.checksums == dataset.checksums


def test_header_is_detected_or_absent(tmp_path):
    with_header, without = tmp_path / "a.csv", tmp_path / "b.csv"
    with_header.write_text("label,1x1,1x2,2x1,2x2\n3,0,255,12,7\n1,1,2,3,4\n")
    without.write_text("3,0,255,12,7\n1,1,2,3,4\n")
    for path in (with_header, without):
        images, labels = read_labelled_csv(path)
        assert images.shape == (2, 2, 2) and images.dtype == np.uint8
        np.testing.assert_array_equal(labels, [3, 1])
        np.testing.assert_array_equal(images[0], [[0, 255], [12, 7]])


def test_whole_numbers_written_as_floats_are_accepted(tmp_path):
    path = tmp_path / "floats.csv"
    path.write_text("1.0,0.0,255.0,3.0,4.0\n")
    images, labels = read_labelled_csv(path)
    np.testing.assert_array_equal(images.reshape(-1), [0, 255, 3, 4])


def test_one_labelled_file_is_a_train_split(tmp_path):
    path = tmp_path / "digits.csv"
    path.write_text("label,a,b,c,d\n3,0,255,12,7\n")
    dataset = load(path)
    assert dataset.name == "digits" and len(dataset.x_train) == 1 and dataset.x_test.shape == (0, 2, 2)


def test_non_numeric_cell_names_line_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("label,a,b,c,d\n3,0,255,12,7\n1,1,x2,3,4\n")
    with pytest.raises(DataFormatError, match=rf"{path}, line 3, column 3: 'x2' is not a number"):
        read_table(path)


def test_wrong_column_count_names_the_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("3,0,255,12,7\n1,1,2,3,4\n1,1,2,3\n")
    with pytest.raises(DataFormatError, match=rf"{path}, line 3: 4 columns; line 1 has 5"):
        read_table(path)


@pytest.mark.parametrize("row, message", [
    ("1,0,256,0,0", "line 2, column 3: pixel value 256 is not a whole number in 0-255"),
    ("1,0,-1,0,0", "line 2, column 3: pixel value -1 is not a whole number in 0-255"),
    ("1,0,0.5,0,0", "line 2, column 3: pixel value 0.5 is not a whole number in 0-255"),
    ("-2,0,0,0,0", r"line 2, column 1: label -2 is not a class index"),
])
def test_values_out_of_range_name_line_and_column(tmp_path, row, message):
    path = tmp_path / "bad.csv"
    path.write_text(f"3,0,255,12,7\n{row}\n")
    with pytest.raises(DataFormatError, match=rf"{path}, {message}"):
        read_labelled_csv(path)


def test_empty_and_header_only_files(tmp_path):
    empty, header_only = tmp_path / "empty.csv", tmp_path / "header.csv"
    empty.write_text("")
    header_only.write_text("label,a\n")
    with pytest.raises(DataFormatError, match=rf"{empty}: empty"):
        read_table(empty)
    with pytest.raises(DataFormatError, match=rf"{header_only}: no data rows"):
        read_table(header_only)


def test_split_layout_counts_must_agree(tmp_path):
    (tmp_path / "train_images.csv").write_text("0,1,2,3\n4,5,6,7\n")
    (tmp_path / "train_labels.csv").write_text("1\n")
    with pytest.raises(DataFormatError, match=r"train_labels.csv: 1 labels but train_images.csv holds 2 images"):
        read_split_csv_folder(tmp_path)
