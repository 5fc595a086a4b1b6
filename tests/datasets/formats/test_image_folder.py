import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from neurona.datasets import DataFormatError, load
from neurona.datasets.formats.image_folder import read_image, read_image_folder, write_image_folder

from neurona.datasets.dataset import make_dataset

from ..builders import files_in, small_parts


def png_header_only(path, width, height):
    """A PNG whose header claims width x height pixels, with almost no data (a bomb's shape)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 16)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))
    return path


def save(path, array):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)


@pytest.mark.parametrize("image_shape", [(28, 28), (8, 8, 3)])
def test_round_trip_keeps_order_labels_and_class_names(tmp_path, image_shape):
    parts = small_parts(image_shape=image_shape, n_train=12, n_test=4, num_classes=3)
    dataset = make_dataset(parts, name="wear", source="test", class_names=["T-shirt/top", "Trouser", "Pullover"])
    write_image_folder(dataset, tmp_path)
    first = dataset.class_names[dataset.y_train[0]].replace("/", "-")
    assert f"train/{first}/00.png" in files_in(tmp_path) and "classes.txt" in files_in(tmp_path)
    loaded = load(tmp_path)
    assert loaded.source == f"images {tmp_path}"
    assert loaded.class_names == dataset.class_names
    assert loaded.checksums == dataset.checksums


def test_a_users_photo_folder_resized_to_grayscale(tmp_path):
    save(tmp_path / "cat" / "a.jpg", np.full((40, 30, 3), 200, np.uint8))
    save(tmp_path / "dog" / "b.png", np.full((10, 10, 3), 20, np.uint8))
    save(tmp_path / "dog" / "c.bmp", np.full((64, 64), 90, np.uint8))
    (tmp_path / "dog" / "notes.txt").write_text("ignored")
    dataset = load(tmp_path, image_size=(28, 28), color_mode="grayscale")
    assert dataset.x_train.shape == (3, 28, 28) and dataset.class_names == ("cat", "dog")
    np.testing.assert_array_equal(dataset.y_train, [0, 1, 1])
    assert dataset.x_test.shape == (0, 28, 28)
    rgb = load(tmp_path, image_size=(16, 16), color_mode="rgb")
    assert rgb.x_train.shape == (3, 16, 16, 3)


def test_different_sizes_without_image_size(tmp_path):
    save(tmp_path / "a" / "1.png", np.zeros((4, 4), np.uint8))
    save(tmp_path / "a" / "2.png", np.zeros((5, 4), np.uint8))
    with pytest.raises(DataFormatError, match=r"2.png: 5x4 pixels, but the first image is 4x4; pass image_size"):
        read_image_folder(tmp_path)


def test_unreadable_image(tmp_path):
    save(tmp_path / "a" / "1.png", np.zeros((4, 4), np.uint8))
    broken = tmp_path / "a" / "2.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    with pytest.raises(DataFormatError, match=rf"{broken}: cannot be read as an image"):
        read_image_folder(tmp_path)


def test_truncated_image(tmp_path):
    path = tmp_path / "cut.png"
    save(path, np.random.default_rng(0).integers(0, 256, (64, 64), dtype=np.uint8))
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(DataFormatError, match=rf"{path}: cannot be read as an image"):
        read_image(path)


def test_decompression_bomb_is_refused_before_decoding(tmp_path):
    bomb = png_header_only(tmp_path / "bomb.png", 100_000, 100_000)
    with pytest.raises(DataFormatError, match=rf"{bomb}: refused, too many pixels .*decompression bomb"):
        read_image(bomb)
    large = png_header_only(tmp_path / "large.png", 10_000, 6_000)  # 60 MP: under Pillow's limit
    expected = rf"{large}: refused, 10000x6000 = 60000000 pixels is more than max_pixels=50000000"
    with pytest.raises(DataFormatError, match=expected):
        read_image(large)


def test_max_pixels_is_an_option(tmp_path):
    path = tmp_path / "a" / "1.png"
    save(path, np.zeros((100, 100), np.uint8))
    with pytest.raises(DataFormatError, match="more than max_pixels=5000"):
        load(tmp_path, max_pixels=5000)


def test_an_empty_folder(tmp_path):
    (tmp_path / "a").mkdir()
    with pytest.raises(DataFormatError, match="no PNG, JPEG or BMP file in class sub-folders"):
        read_image_folder(tmp_path)


def test_read_image_is_public_in_datasets():
    import neurona.datasets

    assert neurona.datasets.read_image is read_image
    assert "read_image" in neurona.datasets.__all__
