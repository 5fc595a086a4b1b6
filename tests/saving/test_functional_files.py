"""Functional models and models inside models in every format: Keras-written files load and
predict as Keras does, ours round-trip and keep training, Keras reads ours, the architecture
travels as JSON, clone_model copies it, and hostile graphs are refused with one clear error.

The functional_* and nested_* fixtures were written by Keras 3.15.1 (see
tools/make_keras_fixtures.py, `--only functional`).
"""

import json
import os
import zipfile

import numpy as np
import pytest

from neurona import activations, keras, layers
from neurona.models import Functional, Sequential, clone_model, load_model, model_from_json
from neurona.saving import ModelFileError, limits
from neurona.saving.keras_config import keras_layers, keras_leaf_layers, keras_order, keras_weights, model_to_keras

from .helpers import FIXTURES, FORMATS, assert_same_weights, snapshot

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # quiet TensorFlow, for the tests that import Keras
KERAS_FIXTURES = ["functional_cnn", "functional_shared", "functional_activations", "nested_sequential",
                  "nested_functional"]
NO_KERAS = "Keras 3 is not installed (it is a dev-only check)"


# Models ------------------------------------------------------------------------------------

def residual_cnn():
    inputs = keras.Input(shape=(6, 6, 1), name="image")
    skip = layers.Conv2D(3, 3, padding="same", activation="relu")(inputs)
    h = layers.BatchNormalization(momentum=0.5)(skip)
    h = layers.Conv2D(3, 3, padding="same")(h)
    h = layers.concatenate([layers.add([h, skip]), skip])
    h = layers.GlobalAveragePooling2D()(h)
    return keras.Model(inputs, layers.Dense(3, activation="softmax")(h), name="residual")


def shared_mlp():
    """A Dense called at two depths (Keras sorts it before the layers it is first met after),
    feeding every merge layer."""
    inputs = keras.Input(shape=(6,))
    shared = layers.Dense(4, activation="tanh", name="shared")
    deep = shared(layers.Dense(4, name="side")(layers.Dense(4, activation="relu", name="front")(inputs)))
    shallow = shared(layers.Dense(4, name="direct")(inputs))
    pair = [deep, shallow]
    merged = layers.concatenate([layers.add(pair), layers.subtract(pair), layers.multiply(pair), layers.average(pair),
                                 layers.maximum(pair), layers.minimum(pair)])
    return keras.Model(inputs, layers.Dense(3, activation="softmax", name="head")(merged), name="shared_mlp")


def activation_graph():
    """ReLU, LeakyReLU, PReLU, ELU, Softmax, Normalization (adapted, and given its statistics),
    Permute, Identity and GaussianNoise."""
    inputs = keras.Input(shape=(4, 3))
    normalization = layers.Normalization()
    normalization.adapt(np.random.default_rng(5).normal(size=(32, 4, 3)) * 2 + 1)
    h = normalization(inputs)
    h = layers.Normalization(mean=[0.5, 0.0, -0.5], variance=[1.0, 2.0, 4.0], invert=True)(h)
    h = layers.Dense(6)(layers.Flatten()(layers.Permute((2, 1))(h)))
    h = layers.concatenate([layers.ReLU(max_value=6.0)(h), layers.LeakyReLU(0.2)(h),
                            layers.PReLU(alpha_initializer="ones")(h), layers.ELU(0.5)(h)])
    h = layers.Identity()(layers.GaussianNoise(0.1, seed=3)(h))
    return keras.Model(inputs, layers.Softmax()(layers.Dense(3)(h)), name="activation_graph")


def nested_sequential():
    inner = Sequential([layers.Dense(4, activation="relu", input_shape=(5,)), layers.BatchNormalization()],
                       name="inner")
    return Sequential([inner, layers.Dense(3, activation="softmax")], name="outer")


def models_in_a_graph():
    stack = Sequential([layers.Dense(4, activation="relu", input_shape=(5,))], name="stack")
    branch_inputs = keras.Input(shape=(4,))
    branch = keras.Model(branch_inputs, layers.Dense(3)(branch_inputs), name="branch")
    inputs = keras.Input(shape=(5,))
    h = layers.concatenate([branch(stack(inputs)), layers.Dense(2, name="own")(inputs)])
    return keras.Model(inputs, layers.Dense(3, activation="softmax", name="top")(h), name="graph_of_models")


MODELS = {"residual_cnn": residual_cnn, "shared_mlp": shared_mlp, "activation_graph": activation_graph,
          "nested_sequential": nested_sequential, "models_in_a_graph": models_in_a_graph}
INPUTS = {"residual_cnn": (6, 6, 1), "shared_mlp": (6,), "activation_graph": (4, 3), "nested_sequential": (5,),
          "models_in_a_graph": (5,)}
STOCHASTIC = {"activation_graph"}  # GaussianNoise: its generator travels in neurona's format only


def data(name, samples=32):
    rng = np.random.default_rng(1)
    return rng.normal(size=(samples,) + INPUTS[name]).astype(np.float32), rng.integers(0, 3, samples)


def trained(name):
    model = MODELS[name]()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(*data(name), epochs=1, batch_size=8, verbose=0)
    return model


def comparable(config):
    """A model config less what Keras' formats keep elsewhere: a layer's declared input shape
    (Keras records it on the model's InputLayer)."""
    if not isinstance(config, dict):
        return config
    result = {}
    for key, value in config.items():
        if key == "layers":
            value = [{**entry, "config": comparable({k: v for k, v in entry["config"].items()
                                                    if k != "input_shape" or entry["class_name"] == "InputLayer"})}
                     for entry in value]
        result[key] = value
    return result


# Keras-written files -----------------------------------------------------------------------

@pytest.mark.parametrize("suffix", ["keras", "h5"])
@pytest.mark.parametrize("name", KERAS_FIXTURES)
def test_keras_functional_files_give_keras_predictions(name, suffix, kernel_path):
    arrays = np.load(FIXTURES / f"{name}.npz")
    model = load_model(FIXTURES / f"{name}.{suffix}")
    predictions = model.predict(arrays["x"])
    assert predictions.shape == arrays["predictions"].shape and predictions.dtype == np.float32
    np.testing.assert_allclose(predictions, arrays["predictions"], rtol=0, atol=1e-4)


@pytest.mark.parametrize("suffix", ["keras", "h5"])
def test_keras_functional_files_bring_their_graph(suffix):
    cnn = load_model(FIXTURES / f"functional_cnn.{suffix}")
    assert isinstance(cnn, Functional) and cnn.name == "residual_cnn" and cnn.input_shape == (8, 8, 1)
    assert [type(layer).__name__ for layer in cnn.layers] == [
        "InputLayer", "Conv2D", "BatchNormalization", "Conv2D", "Add", "Concatenate", "GlobalAveragePooling2D",
        "Dense"]
    add, concatenate = cnn.layers[4], cnn.layers[5]
    assert [tensor.layer.name for tensor in add.inbound_nodes[0].inputs] == ["conv2d_1", "conv2d"]
    assert [tensor.layer.name for tensor in concatenate.inbound_nodes[0].inputs] == ["add", "conv2d"]
    assert cnn.compiled and cnn.optimizer.iterations == 4 and cnn.metrics_names == ["loss", "accuracy"]

    shared = load_model(FIXTURES / f"functional_shared.{suffix}")
    assert [layer.name for layer in shared.layers].count("shared") == 1
    assert len([node for node in shared._nodes if node.layer.name == "shared"]) == 2

    graph = load_model(FIXTURES / f"functional_activations.{suffix}")
    kinds = {type(layer).__name__: layer for layer in graph.layers}
    assert kinds["ReLU"].max_value == 6.0 and kinds["LeakyReLU"].negative_slope == pytest.approx(0.2)
    assert kinds["ELU"].alpha == 0.5 and kinds["Softmax"].axis == -1 and kinds["Permute"].dims == (2, 1)
    assert kinds["GaussianNoise"].stddev == pytest.approx(0.1) and kinds["GaussianNoise"].seed == 3
    assert kinds["Concatenate"].axis == -1 and kinds["PReLU"].params["alpha"].shape == (8,)
    adapted, given = [layer for layer in graph.layers if type(layer).__name__ == "Normalization"]
    assert adapted.given_mean is None and adapted.params["count"] == 0  # Keras' adapt leaves its count at 0
    assert given.invert and given.given_mean.tolist() == [0.1, 0.2, 0.3]
    np.testing.assert_allclose(given.params["variance"], [1.0, 2.0, 3.0])


@pytest.mark.parametrize("suffix", ["keras", "h5"])
def test_keras_nested_models_load_as_nested_models(suffix):
    outer = load_model(FIXTURES / f"nested_sequential.{suffix}")
    inner = outer.layers[0]
    assert isinstance(inner, Sequential) and inner.name == "inner" and inner.input_shape == (5,)
    assert [type(layer).__name__ for layer in inner.layers] == ["Dense", "BatchNormalization"]
    assert np.abs(inner.layers[1].params["moving_mean"]).min() > 1e-4  # trained at momentum 0.5
    assert outer.compiled and outer.optimizer.iterations == 4

    graph = load_model(FIXTURES / f"nested_functional.{suffix}")
    kinds = [type(layer).__name__ for layer in graph.layers]
    assert kinds == ["InputLayer", "Sequential", "Functional", "Dense", "Concatenate", "Dense"]
    assert graph.get_layer("branch").input_shape == (4,)


@pytest.mark.parametrize("suffix", ["keras", "h5"])
def test_keras_functional_optimizer_state_continues_training_as_keras_does(suffix, kernel_path):
    """Keras keeps the optimizer's slots in its order of the layers, which differs here from
    the order neurona meets them in."""
    arrays = np.load(FIXTURES / "functional_shared.npz")
    model = load_model(FIXTURES / f"functional_shared.{suffix}")
    assert [layer.name for layer in keras_order(model)] != [layer.name for layer in model.layers]
    model.train_on_batch(arrays["step_x"], arrays["step_y"])
    for layer in model.layers:
        for index, value in enumerate(layer.get_weights()):
            np.testing.assert_allclose(value, arrays[f"{layer.name}/{index}"], rtol=0, atol=1e-5)


@pytest.mark.parametrize("suffix", ["keras", "h5"])
def test_keras_functional_weights_load_into_a_matching_model(suffix):
    arrays = np.load(FIXTURES / "functional_cnn.npz")
    fresh = clone_model(load_model(FIXTURES / "functional_cnn.keras"))
    fresh.load_weights(FIXTURES / f"functional_cnn.{suffix}")
    np.testing.assert_allclose(fresh.predict(arrays["x"]), arrays["predictions"], rtol=0, atol=1e-4)


def test_keras_json_of_a_functional_model_builds_the_model():
    """A .keras file's config.json is what Keras' to_json writes."""
    with zipfile.ZipFile(FIXTURES / "functional_shared.keras") as archive:
        text = archive.read("config.json").decode()
    model = model_from_json(text)
    assert not model.compiled
    loaded = load_model(FIXTURES / "functional_shared.keras")
    assert [layer.name for layer in model.layers] == [layer.name for layer in loaded.layers]
    model.set_weights(loaded.get_weights())
    arrays = np.load(FIXTURES / "functional_shared.npz")
    np.testing.assert_allclose(model.predict(arrays["x"]), arrays["predictions"], rtol=0, atol=1e-4)


# Round trips -------------------------------------------------------------------------------

@pytest.mark.parametrize("form", FORMATS)
@pytest.mark.parametrize("name", sorted(MODELS))
def test_functional_and_nested_models_round_trip(name, form, tmp_path):
    model = trained(name)
    x, y = data(name)
    path = tmp_path / f"model.{form}"
    model.save(path)
    loaded = load_model(path)

    assert type(loaded) is type(model)
    assert comparable(loaded.get_config()) == comparable(model.get_config())
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    assert_same_weights(model, loaded)
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert loaded.compiled and loaded.optimizer.iterations == model.optimizer.iterations
    if form != "neurona" and name in STOCHASTIC:
        return
    ours, theirs = loaded.train_on_batch(x[:8], y[:8]), model.train_on_batch(x[:8], y[:8])
    if form == "neurona":
        assert ours == theirs
        assert_same_weights(model, loaded)
    else:
        # Keras files hold Adam's averages as the published rule defines them (see test_round_trip).
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
        for a, b in zip(loaded.get_weights(), model.get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("form", FORMATS)
def test_a_model_with_several_outputs_round_trips(form, tmp_path):
    inputs = keras.Input(shape=(3,))
    hidden = layers.Dense(4, activation="relu")(inputs)
    model = keras.Model(inputs, [hidden, layers.Dense(2)(hidden)])
    model.save(tmp_path / f"model.{form}")
    loaded = load_model(tmp_path / f"model.{form}")
    x = np.random.default_rng(2).normal(size=(5, 3)).astype(np.float32)
    for ours, theirs in zip(loaded.predict(x), model.predict(x)):
        np.testing.assert_array_equal(ours, theirs)
    assert not loaded.compiled


@pytest.mark.parametrize("suffix", ["weights.neurona", "weights.h5", "h5", "keras"])
@pytest.mark.parametrize("name", ["shared_mlp", "models_in_a_graph"])
def test_functional_weights_load_into_a_clone(name, suffix, tmp_path):
    model = trained(name)
    path = tmp_path / f"model.{suffix}"
    if suffix == "keras":
        model.save(path)
    else:
        model.save_weights(path)
    fresh = clone_model(model)
    fresh.load_weights(path)
    assert_same_weights(model, fresh)
    x, _ = data(name)
    np.testing.assert_array_equal(fresh.predict(x), model.predict(x))


@pytest.mark.parametrize("suffix", ["keras", "h5"])
def test_an_activation_layer_with_a_slope_comes_back_as_keras_names_it(suffix, tmp_path):
    model = Sequential([layers.Dense(4, input_shape=(3,)), layers.Activation(activations.LeakyReLU(0.05)),
                        layers.Activation(activations.ELU(0.5)), layers.Dense(2)])
    model.save(tmp_path / f"model.{suffix}")
    loaded = load_model(tmp_path / f"model.{suffix}")
    assert [type(layer).__name__ for layer in loaded.layers] == ["Dense", "LeakyReLU", "ELU", "Dense"]
    assert loaded.layers[1].negative_slope == 0.05 and loaded.layers[2].alpha == 0.5
    x = np.random.default_rng(3).normal(size=(4, 3)).astype(np.float32)
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def test_the_neurona_file_names_nested_weights_by_their_path(tmp_path):
    model = trained("models_in_a_graph")
    model.save(tmp_path / "model.neurona")
    with zipfile.ZipFile(tmp_path / "model.neurona") as archive:
        manifest = json.loads(archive.read("neurona.json"))
        header_length = int.from_bytes(archive.read("weights.safetensors")[:8], "little")
        header = json.loads(archive.read("weights.safetensors")[8:8 + header_length])
    assert manifest["model"]["class_name"] == "Functional"
    names = [layer.name for layer in model.layers]
    stack, branch = names.index("stack"), names.index("branch")
    assert {f"layers.{stack}.layers.0.kernel", f"layers.{branch}.layers.1.kernel"} <= set(header)


# JSON and clone_model ----------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(MODELS))
def test_to_json_and_model_from_json_rebuild_the_architecture(name):
    model = trained(name)
    text = model.to_json()
    document = json.loads(text)
    assert document["class_name"] == ("Sequential" if isinstance(model, Sequential) else "Functional")
    assert {"keras_version", "backend", "config"} <= set(document)
    again = keras.models.model_from_json(text)
    assert type(again) is type(model) and not again.compiled
    assert comparable(again.get_config()) == comparable(model.get_config())
    assert any(not np.array_equal(a, b) for a, b in zip(again.get_weights(), model.get_weights()))
    again.set_weights(model.get_weights())
    x, _ = data(name)
    np.testing.assert_array_equal(again.predict(x), model.predict(x))
    assert json.loads(model.to_json(indent=2)) == document


@pytest.mark.parametrize("name", sorted(MODELS))
def test_clone_model_copies_the_architecture_with_new_weights(name):
    model = trained(name)
    clone = clone_model(model)
    assert type(clone) is type(model) and not clone.compiled
    assert clone.get_config() == model.get_config()
    assert [w.shape for w in clone.get_weights()] == [w.shape for w in model.get_weights()]
    assert any(not np.array_equal(a, b) for a, b in zip(clone.get_weights(), model.get_weights()))
    before = model.get_weights()
    clone.compile("sgd", "sparse_categorical_crossentropy")
    clone.fit(*data(name, 8), epochs=1, verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_clone_model_keeps_a_shared_layer_shared():
    clone = clone_model(shared_mlp())
    assert [layer.name for layer in clone.layers].count("shared") == 1
    assert len([node for node in clone._nodes if node.layer is clone.get_layer("shared")]) == 2


def test_clone_model_refuses_what_it_does_not_do():
    with pytest.raises(ValueError, match="input_tensors and clone_function are not supported"):
        clone_model(shared_mlp(), clone_function=lambda layer: layer)
    with pytest.raises(TypeError, match="expects a Sequential or functional model"):
        clone_model(layers.Dense(3))


# Keras reads what we write -------------------------------------------------------------------

@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning", "ignore::RuntimeWarning")
@pytest.mark.parametrize("suffix", ["keras", "h5"])
@pytest.mark.parametrize("name", sorted(MODELS))
def test_keras_loads_the_functional_files_neurona_writes(name, suffix, tmp_path):
    real_keras = pytest.importorskip("keras", reason=NO_KERAS)
    model = trained(name)
    model.save(tmp_path / f"model.{suffix}")
    loaded = real_keras.models.load_model(tmp_path / f"model.{suffix}")
    x, y = data(name)
    np.testing.assert_allclose(np.asarray(loaded.predict(x, verbose=0)), model.predict(x), rtol=0, atol=1e-5)
    for layer in model.layers:
        for ours, theirs in zip(layer.get_weights(), loaded.get_layer(layer.name).get_weights()):
            np.testing.assert_array_equal(ours, theirs)
    assert int(loaded.optimizer.iterations) == model.optimizer.iterations
    # The optimizer's slots, layer by layer (Keras cannot train a functional model it loaded
    # from a legacy .h5, even its own: its optimizer does not know the variables).
    if name in ("shared_mlp", "models_in_a_graph") and suffix == "keras":
        loaded.train_on_batch(x[:8], y[:8])
        model.train_on_batch(x[:8], y[:8])
        for layer in model.layers:
            for ours, theirs in zip(layer.get_weights(), loaded.get_layer(layer.name).get_weights()):
                np.testing.assert_allclose(theirs, ours, rtol=1e-4, atol=1e-6)


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")
@pytest.mark.parametrize("name", sorted(MODELS))
def test_keras_reads_our_json(name):
    real_keras = pytest.importorskip("keras", reason=NO_KERAS)
    model = MODELS[name]()
    theirs = real_keras.models.model_from_json(model.to_json())
    assert [layer.name for layer in theirs.layers] == [layer.name for layer, _ in keras_layers(model)]
    theirs.set_weights([value for layer in keras_leaf_layers(model) for _, value in keras_weights(layer)])
    for layer in theirs.layers:
        if hasattr(layer, "finalize_state"):  # Keras' Normalization takes set statistics in only then
            layer.finalize_state()
    x, _ = data(name, 4)
    np.testing.assert_allclose(np.asarray(theirs.predict(x, verbose=0)), model.predict(x), rtol=0, atol=1e-5)


def test_the_keras_configs_of_the_new_layers_are_keras_3_configs():
    """Each layer's config has the keys Keras 3's own get_config gives, with its values."""
    real_keras = pytest.importorskip("keras", reason=NO_KERAS)
    entries = [entry for name in ("activation_graph", "shared_mlp")
               for entry in model_to_keras(MODELS[name](), "keras3")["config"]["layers"]]
    for entry in entries:
        if entry["class_name"] in ("InputLayer", "Dense", "Flatten"):
            continue
        ours = entry["config"]
        layer = real_keras.layers.deserialize({key: value for key, value in entry.items()
                                               if key not in ("name", "inbound_nodes")})
        theirs = json.loads(json.dumps(layer.get_config()))
        assert set(theirs) - {"dtype"} == set(ours) - {"dtype"}, entry["class_name"]
        for key, value in ours.items():
            if key != "dtype" and not isinstance(value, dict):
                assert theirs[key] == value, (entry["class_name"], key)


# Hostile graphs ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def functional_members(tmp_path_factory):
    """The members of a valid neurona file holding shared_mlp."""
    path = tmp_path_factory.mktemp("valid") / "model.neurona"
    trained("shared_mlp").save(path)
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def entry_named(config, name):
    return next(entry for entry in config["layers"] if entry["name"] == name)


def ghost_tensor(config):
    entry_named(config, "side")["inbound_nodes"][0]["args"] = [["ghost", 0]]


def call_beyond_the_calls(config):
    entry_named(config, "head")["inbound_nodes"][0]["args"] = [["side", 3]]


def cycle(config):
    entry_named(config, "front")["inbound_nodes"][0]["args"] = [["side", 0]]


def many_layers(config):
    config["layers"] = config["layers"] + [entry_named(config, "head")] * limits.MAX_LAYERS


def many_calls(config):
    entry = entry_named(config, "head")
    entry["inbound_nodes"] = entry["inbound_nodes"] * (limits.MAX_CALLS + 1)


def set_class(name, class_name):
    def change(config):
        entry_named(config, name)["class_name"] = class_name
    return change


def nested_model_by_import_path(config):
    entry = entry_named(config, "head")
    entry["class_name"] = "keras.src.models.sequential.Sequential"
    entry["config"] = {"name": "evil", "layers": []}


def unconnected_layer(config):
    config["layers"].append({**entry_named(config, "head"), "name": "spare", "inbound_nodes": [],
                             "config": {**entry_named(config, "head")["config"], "name": "spare"}})


def deep_nesting(config):
    inner = {"class_name": "Sequential", "config": {"name": "deep", "layers": []}}
    for _ in range(limits.MAX_NESTING + 2):
        inner = {"class_name": "Sequential", "config": {"name": "deep", "layers": [inner]}}
    entry_named(config, "head").update(class_name="Sequential", config=inner["config"])


HOSTILE = {
    "ghost_tensor": (ghost_tensor, r"call 0 of layer 'side' reads call 0 of layer 'ghost', which no layer of the "
                                   r"functional config makes"),
    "call_beyond_the_calls": (call_beyond_the_calls, r"reads call 3 of layer 'side', which no layer"),
    "cycle": (cycle, r"calls form a cycle through layers \['(front', 'side|side', 'front)'\]"),
    "many_layers": (many_layers, r"the model has more than 10000 layers"),
    "many_calls": (many_calls, r"more than 10000 layer calls"),
    "unknown_class": (set_class("side", "Lambda"), r"layer \d+ \(Lambda\): Unknown layer: 'Lambda'"),
    "import_path_class": (set_class("side", "keras.layers.Dense"), r"Unknown layer: 'keras.layers.Dense'"),
    "os_system": (set_class("side", "os.system"), r"Unknown layer: 'os.system'"),
    "nested_model_by_import_path": (nested_model_by_import_path,
                                    r"Unknown layer: 'keras.src.models.sequential.Sequential'"),
    "unconnected_layer": (unconnected_layer, r"layer 'spare' of the functional config is not connected"),
    "deep_nesting": (deep_nesting, r"nested more than"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_functional_config_is_refused_naming_the_file(case, functional_members, tmp_path, monkeypatch):
    change, match = HOSTILE[case]
    manifest = json.loads(functional_members["neurona.json"])
    change(manifest["model"]["config"])
    path = tmp_path / "model.neurona"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("neurona.json", json.dumps(manifest))
        archive.writestr("weights.safetensors", functional_members["weights.safetensors"])
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    with pytest.raises(ModelFileError, match=match) as refusal:
        load_model(path)
    message = str(refusal.value)
    assert message.startswith(str(path)) and "\n" not in message
    assert snapshot(tmp_path) == before


def edited_keras(tmp_path, change):
    with zipfile.ZipFile(FIXTURES / "functional_shared.keras") as source:
        entries = {member: source.read(member) for member in source.namelist()}
    config = json.loads(entries["config.json"])
    change(config["config"])
    entries["config.json"] = json.dumps(config).encode()
    path = tmp_path / "edited.keras"
    with zipfile.ZipFile(path, "w") as archive:
        for member, value in entries.items():
            archive.writestr(member, value)
    return path


def keras_history(config, name):
    return entry_named(config, name)["inbound_nodes"][0]["args"][0]["config"]["keras_history"]


KERAS_HOSTILE = {
    "ghost_tensor": (lambda config: keras_history(config, "side").__setitem__(0, "ghost"),
                     r"reads call 0 of layer 'ghost', which no layer"),
    "cycle": (lambda config: keras_history(config, "front").__setitem__(0, "side"), r"calls form a cycle"),
    "module_and_class": (lambda config: entry_named(config, "side").update(module="os", class_name="system"),
                         r"Keras layer \d+ is a system, which neurona does not have"),
    "call_keyword": (lambda config: entry_named(config, "side")["inbound_nodes"][0].update(kwargs={"mask": [1]}),
                     r"\(Dense 'side'\): call arguments \{'mask': \[1\]\} are not supported"),
    "second_output": (lambda config: keras_history(config, "side").__setitem__(2, 1),
                      r"reads output 1 of layer 'front'"),
}


@pytest.mark.parametrize("case", sorted(KERAS_HOSTILE))
def test_a_hostile_keras_functional_config_is_refused_naming_the_file(case, tmp_path):
    change, match = KERAS_HOSTILE[case]
    path = edited_keras(tmp_path, change)
    with pytest.raises(ModelFileError, match=match) as refusal:
        load_model(path)
    assert str(refusal.value).startswith(str(path))


def test_a_json_architecture_too_large_to_build_is_refused_before_it_is_allocated():
    model = Sequential([layers.Dense(4, input_shape=(3,))])
    document = json.loads(model.to_json())
    document["config"]["layers"][1]["config"]["units"] = 10**12
    with pytest.raises(ModelFileError, match=r"the JSON model config: layer 'dense.*' \(Dense\) asks for a weight "
                                             r"'kernel' of shape \(3, 1000000000000\); the model's weights would "
                                             r"exceed"):
        model_from_json(json.dumps(document))


def test_model_from_json_refuses_what_is_not_a_keras_model():
    with pytest.raises(ModelFileError, match="the JSON model config is not valid JSON"):
        model_from_json("{not json")
    with pytest.raises(ModelFileError, match="holds a Keras 'Dense' model"):
        model_from_json(json.dumps({"class_name": "Dense", "config": {}}))
    with pytest.raises(ValueError, match="custom_objects is not supported"):
        model_from_json(shared_mlp().to_json(), custom_objects={"Dense": object})
