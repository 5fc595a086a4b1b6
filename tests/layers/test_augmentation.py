"""Augmentation layers: Keras' outputs for fixed transforms, training-only behaviour, seeds and
per-epoch reseeding (resumed training stays exact), files, ONNX, and the presets."""

import numpy as np
import pytest

from neurona import kernels
from neurona.layers import (Dense, Flatten, RandomContrast, RandomFlip, RandomRotation, RandomTranslation,
                            RandomZoom, deserialize, serialize)
from neurona.layers.augmentation import PRESETS, augmentation_preset
from neurona.models import Sequential, load_model

FILLS = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")


def asymmetric_images():
    """Two 7x9 images of two channels, no symmetry that could hide a wrong axis or sign."""
    x = (np.arange(7 * 9 * 2, dtype=np.float32).reshape(1, 7, 9, 2) ** 1.3) % 17
    return np.concatenate([x, x[:, ::-1] * 0.5 + 1], axis=0)


def fixed_transforms(fill_mode, interpolation):
    """(name, arguments) of layers whose factors pin one transform, with sample points that
    fall on whole or half pixels in float32 too."""
    options = {"fill_mode": fill_mode, "interpolation": interpolation, "fill_value": 3.0}
    cases = [
        ("RandomTranslation", {"height_factor": (2 / 7, 2 / 7), "width_factor": (-3 / 9, -3 / 9), **options}),
        ("RandomZoom", {"height_factor": (1.0, 1.0), **options}),  # zooms out by 2
    ]
    if fill_mode != "wrap":
        # Keras' TensorFlow kernel wraps a coordinate a float32 rounding below 0 (a quarter
        # turn's cos(90°) = -4e-8) onto the far edge, clamps the last half pixel instead of
        # blending it with the first, and wraps a shift past (size - 1) pixels by the wrong
        # period: wrap is checked against its definition here and in tests/kernels.
        cases += [("RandomTranslation", {"height_factor": (-1.0, -1.0), "width_factor": (5 / 9, 5 / 9), **options}),
                  ("RandomRotation", {"factor": (0.25, 0.25), **options}),
                  ("RandomRotation", {"factor": (-0.25, -0.25), **options})]
        if interpolation == "bilinear":  # half-pixel points: nearest would be a tie
            cases.append(("RandomZoom", {"height_factor": (-0.5, -0.5), "width_factor": (0.5, 0.5), **options}))
    return cases


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
@pytest.mark.parametrize("fill_mode", FILLS)
def test_fixed_transforms_give_keras_outputs(fill_mode, interpolation, kernel_path):
    keras = pytest.importorskip("keras", reason="Keras 3 is not installed (it is a dev-only check)")
    import neurona.layers as ours

    x = asymmetric_images()
    for class_name, arguments in fixed_transforms(fill_mode, interpolation):
        expected = np.asarray(getattr(keras.layers, class_name)(**arguments)(x, training=True))
        actual = getattr(ours, class_name)(**arguments)(x, training=True)
        assert actual.shape == expected.shape and actual.dtype == np.float32
        np.testing.assert_allclose(actual, expected, rtol=0, atol=2e-5, err_msg=f"{class_name} {arguments}")


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
def test_a_quarter_turn_with_wrap_reads_the_opposite_edge(interpolation):
    x = asymmetric_images()
    out = RandomRotation((0.25, 0.25), fill_mode="wrap", interpolation=interpolation)(x, training=True)
    # Counter-clockwise about the centre (4, 3): output (i, j) reads row j - 1, column 7 - i.
    rows, cols = np.arange(9) - 1, 7 - np.arange(7)
    expected = x[:, rows % 7][:, :, cols % 9].transpose(0, 2, 1, 3)
    np.testing.assert_allclose(out, expected, atol=1e-5)


def test_a_positive_rotation_turns_counter_clockwise_as_rot90():
    x = np.random.default_rng(0).standard_normal((2, 6, 6, 1)).astype(np.float32)
    out = RandomRotation((0.25, 0.25), interpolation="nearest")(x, training=True)
    np.testing.assert_array_equal(out, np.rot90(x, 1, axes=(1, 2)))


def test_a_positive_zoom_factor_zooms_out():
    x = np.zeros((1, 9, 9, 1), np.float32)
    x[0, 2:7, 2:7] = 1.0
    out = RandomZoom((1.0, 1.0), fill_mode="constant", interpolation="nearest")(x, training=True)
    assert out.sum() == 9.0 and out[0, 3:6, 3:6].sum() == 9.0  # the 5x5 square is now 3x3
    zoomed_in = RandomZoom((-0.5, -0.5), fill_mode="constant")(x, training=True)
    assert zoomed_in.sum() > x.sum()


def layers_under_test(seed=3):
    return [RandomRotation(0.2, seed=seed), RandomTranslation(0.2, (-0.1, 0.3), seed=seed),
            RandomZoom(0.3, 0.2, fill_mode="constant", seed=seed), RandomFlip(seed=seed),
            RandomContrast(0.5, value_range=(0, 17), seed=seed)]


@pytest.mark.parametrize("index", range(5))
def test_inference_is_the_identity_without_a_copy(index):
    layer = layers_under_test()[index]
    x = asymmetric_images()
    assert layer(x).shape == x.shape
    layer.build(x.shape[1:])
    assert layer.forward(x, training=False) is x
    grad = np.ones_like(x)
    assert layer.backward(grad) is grad and layer.backward(grad, need_input_grad=False) is None


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("index", range(5))
def test_training_transforms_keep_shape_and_dtype_and_follow_the_seed(index, dtype, kernel_path):
    x = asymmetric_images().astype(dtype)
    first, second, other = layers_under_test()[index], layers_under_test()[index], layers_under_test(seed=4)[index]
    out = np.array(first(x, training=True))
    assert out.shape == x.shape and out.dtype == dtype
    np.testing.assert_array_equal(np.array(second(x, training=True)), out)
    batch = np.concatenate([x] * 8)  # 16 images: flips differ from another seed's too
    assert not np.array_equal(first(batch, training=True), other(batch, training=True))


@pytest.mark.parametrize("index", range(5))
def test_reseeding_with_a_key_restarts_the_same_sequence(index):
    layer = layers_under_test()[index]
    x = np.concatenate([asymmetric_images()] * 8)
    layer.build(x.shape[1:])
    layer.reseed([7, 1, 0])
    first = layer.forward(x, training=True).copy()
    assert not np.array_equal(layer.forward(x, training=True), first)  # the sequence moves on
    layer.reseed([7, 1, 0])
    np.testing.assert_array_equal(layer.forward(x, training=True), first)
    layer.reseed([7, 2, 0])
    assert not np.array_equal(layer.forward(x, training=True), first)


@pytest.mark.parametrize("index", range(5))
def test_both_kernel_paths_draw_the_same_augmentations(index):
    pytest.importorskip("numba")
    x = np.concatenate([asymmetric_images()] * 4)
    outputs = []
    for path in ("numpy", "numba"):
        kernels.set_kernels(path)
        try:
            outputs.append(np.array(layers_under_test()[index](x, training=True)))
        finally:
            kernels.set_kernels(None)
    np.testing.assert_allclose(outputs[1], outputs[0], rtol=1e-6, atol=1e-6)


def test_flips_turn_whole_images_as_keras_does():
    x = np.concatenate([asymmetric_images()] * 10)
    for mode, turned in (("horizontal", x[:, :, ::-1]), ("vertical", x[:, ::-1]),
                         ("horizontal_and_vertical", x[:, ::-1, ::-1])):
        out = RandomFlip(mode, seed=0)(x, training=True)
        kept = (out == x).all(axis=(1, 2, 3))
        flipped = (out == turned).all(axis=(1, 2, 3))
        assert (kept | flipped).all() and kept.any() and flipped.any()


def test_contrast_scales_about_each_channels_mean_and_clips():
    x = asymmetric_images()
    layer = RandomContrast((0.5, 0.5), value_range=(0, 17), seed=1)
    layer.build(x.shape[1:])
    rng_state = layer._rng.bit_generator.state
    out = layer.forward(x, training=True)
    layer._rng.bit_generator.state = rng_state
    contrast = layer._rng.uniform(0.5, 1.5, size=2)[:, None, None, None]
    mean = x.mean(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(out, np.clip((x - mean) * contrast + mean, 0, 17), rtol=1e-6, atol=1e-5)


def test_a_single_contrast_factor_only_raises_contrast_as_keras_3():
    layer = RandomContrast(0.3)
    assert (layer.lower, layer.upper) == (0.0, 0.3)


def test_an_input_gradient_through_a_transform_is_refused_by_name():
    layer = RandomRotation(0.1, name="spin")
    x = asymmetric_images()
    layer(x, training=True)
    with pytest.raises(NotImplementedError, match="RandomRotation layer 'spin'.*before every layer with trainable"):
        layer.backward(np.ones_like(x))


def test_a_model_trains_through_augmentation_at_its_input():
    rng = np.random.default_rng(0)
    x = rng.random((32, 8, 8, 1), dtype=np.float32)
    y = (x[:, :4].mean(axis=(1, 2, 3)) > 0.5).astype(int)
    model = Sequential([*augmentation_preset("digits", (8, 8, 1), seed=1), Flatten(), Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    plain = Sequential([Flatten(input_shape=(8, 8, 1)), Dense(2, activation="softmax")])
    plain.build((8, 8, 1))
    plain.set_weights(model.get_weights())
    np.testing.assert_array_equal(model.predict(x), plain.predict(x))  # identity at inference


@pytest.mark.parametrize(("make", "message"), [
    (lambda: RandomRotation(1.5), "factor"), (lambda: RandomRotation((0.1, 0.2, 0.3)), "factor"),
    (lambda: RandomRotation(float("nan")), "factor"),
    (lambda: RandomZoom(-1.0), "height_factor"), (lambda: RandomTranslation(0.1, "x"), "width_factor"),
    (lambda: RandomRotation(0.1, fill_mode="mirror"), "fill_mode"),
    (lambda: RandomZoom(0.1, interpolation="bicubic"), "interpolation"),
    (lambda: RandomFlip("diagonal"), "mode"), (lambda: RandomContrast(1.5), "factor"),
    (lambda: RandomContrast(0.1, value_range=(1, 0)), "value_range"), (lambda: RandomFlip(seed="x"), "seed"),
])
def test_bad_arguments_are_named(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_images_are_required():
    with pytest.raises(ValueError, match="height, width, channels"):
        RandomFlip().build((28, 28))


@pytest.mark.parametrize("index", range(5))
def test_configs_round_trip_with_keras_keys(index):
    layer = layers_under_test()[index]
    config = layer.get_config()
    again = deserialize(serialize(layer))
    assert type(again) is type(layer) and again.get_config() == config
    keras = pytest.importorskip("keras", reason="Keras 3 is not installed (it is a dev-only check)")
    keras_config = getattr(keras.layers, type(layer).__name__)(
        **{key: value for key, value in config.items() if key not in ("name", "trainable")}).get_config()
    ours = set(layer.to_keras("float32", "keras3", "test")[1])
    assert ours <= set(keras_config) | {"dtype"}
    assert set(keras_config) - ours <= {"dtype", "bounding_box_format"}


def augmented_model():
    model = Sequential([RandomRotation(0.1, fill_mode="constant", seed=2, input_shape=(6, 6, 1)),
                        RandomTranslation(0.1, 0.2), RandomZoom((-0.2, 0.1), interpolation="nearest"),
                        RandomFlip("horizontal"), RandomContrast((0.1, 0.2), value_range=(0, 1)),
                        Flatten(), Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def small_data():
    rng = np.random.default_rng(5)
    x = rng.random((48, 6, 6, 1), dtype=np.float32)
    return x, (x[:, :3].mean(axis=(1, 2, 3)) * 3).astype(int) % 3


@pytest.mark.parametrize("form", ["neurona", "keras", "h5"])
def test_files_round_trip(form, tmp_path):
    x, y = small_data()
    model = augmented_model()
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    model.save(tmp_path / f"model.{form}")
    loaded = load_model(tmp_path / f"model.{form}")
    expected = [{k: v for k, v in layer.get_config().items() if k != "input_shape"} for layer in model.layers]
    assert [{k: v for k, v in layer.get_config().items() if k != "input_shape"} for layer in loaded.layers] == expected
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def test_keras_loads_the_keras_file(tmp_path):
    keras = pytest.importorskip("keras", reason="Keras 3 is not installed (it is a dev-only check)")
    x, y = small_data()
    model = augmented_model()
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    model.save(tmp_path / "model.keras")
    theirs = keras.saving.load_model(tmp_path / "model.keras")
    assert [type(layer).__name__ for layer in theirs.layers][:5] == [type(layer).__name__ for layer in model.layers][:5]
    assert theirs.layers[0].get_config()["factor"] in ((-0.1, 0.1), [-0.1, 0.1], 0.1)
    np.testing.assert_allclose(np.asarray(theirs.predict(x, verbose=0)), model.predict(x), rtol=0, atol=1e-5)


def test_onnx_exports_the_identity(tmp_path):
    onnxruntime = pytest.importorskip("onnxruntime")
    from neurona.saving import export_onnx

    x, y = small_data()
    model = augmented_model()
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    export_onnx(model, tmp_path / "model.onnx")
    session = onnxruntime.InferenceSession(str(tmp_path / "model.onnx"), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(["output"], {"input": x})[0], model.predict(x), rtol=0, atol=1e-5)


def test_resumed_training_is_bit_identical(tmp_path):
    """2 epochs straight against 1 epoch, save, load and fit(initial_epoch=1)."""
    x, y = small_data()

    def make():
        model = Sequential([RandomRotation(0.1, input_shape=(6, 6, 1)), Flatten(), Dense(3, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy")
        return model

    np.random.seed(7)
    straight = make()
    straight.fit(x, y, epochs=2, batch_size=16, verbose=0)
    np.random.seed(7)
    first = make()
    first.fit(x, y, epochs=1, batch_size=16, verbose=0)
    first.save(tmp_path / "ckpt.neurona")
    np.random.seed(12345)
    resumed = load_model(tmp_path / "ckpt.neurona")
    resumed.fit(x, y, epochs=2, initial_epoch=1, batch_size=16, verbose=0)
    for a, b in zip(straight.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)
    # The rotations matter: without them the weights differ.
    np.random.seed(7)
    still = Sequential([Flatten(input_shape=(6, 6, 1)), Dense(3, activation="softmax")])
    still.compile("adam", "sparse_categorical_crossentropy")
    still.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert not np.array_equal(still.get_weights()[0], straight.get_weights()[0])


def test_presets():
    assert set(PRESETS) == {"none", "digits", "fashion"}
    assert augmentation_preset("none") == []
    digits = augmentation_preset("digits", (28, 28, 1), seed=5)
    assert [type(layer).__name__ for layer in digits] == ["RandomRotation", "RandomZoom", "RandomTranslation"]
    assert digits[0].declared_input_shape == (28, 28, 1) and [layer.seed for layer in digits] == [5, 6, 7]
    assert digits[0].upper == pytest.approx(15 / 360) and digits[1].height_factor == 0.15
    fashion = augmentation_preset("fashion")
    assert isinstance(fashion[0], RandomFlip) and fashion[0].mode == "horizontal"
    assert augmentation_preset("digits")[0] is not augmentation_preset("digits")[0]
    with pytest.raises(ValueError, match="'cifar'.*digits"):
        augmentation_preset("cifar")
    with pytest.raises(ValueError, match="image_shape"):
        augmentation_preset("digits", (28, 28))


def test_a_keras_file_with_augmentation_loads(tmp_path):
    keras = pytest.importorskip("keras", reason="Keras 3 is not installed (it is a dev-only check)")
    from neurona.saving import ModelFileError

    theirs = keras.Sequential([keras.Input((6, 6, 1)), keras.layers.RandomRotation(0.1, fill_mode="wrap", seed=4),
                               keras.layers.RandomTranslation((-0.1, 0.2), 0.1, interpolation="nearest"),
                               keras.layers.RandomZoom(0.2, (0.1, 0.3), fill_mode="constant", fill_value=1.5),
                               keras.layers.RandomFlip("vertical"),
                               keras.layers.RandomContrast(0.2, value_range=(0, 1)),
                               keras.layers.Flatten(), keras.layers.Dense(3)])
    theirs.save(tmp_path / "theirs.keras")
    ours = load_model(tmp_path / "theirs.keras")
    rotation, translation, zoom, flip, contrast = ours.layers[:5]
    assert (rotation.lower, rotation.upper, rotation.fill_mode, rotation.seed) == (-0.1, 0.1, "wrap", 4)
    assert (translation.height_lower, translation.height_upper, translation.interpolation) == (-0.1, 0.2, "nearest")
    assert (zoom.width_lower, zoom.width_upper, zoom.fill_value) == (0.1, 0.3, 1.5)
    assert flip.mode == "vertical" and contrast.value_range == [0.0, 1.0] and contrast.upper == 0.2
    x = small_data()[0]
    np.testing.assert_allclose(ours.predict(x), np.asarray(theirs.predict(x, verbose=0)), rtol=0, atol=1e-5)

    channels_first = keras.Sequential([keras.Input((1, 6, 6)), keras.layers.RandomFlip(data_format="channels_first")])
    channels_first.save(tmp_path / "first.keras")
    with pytest.raises(ModelFileError, match="channels_first"):
        load_model(tmp_path / "first.keras")
