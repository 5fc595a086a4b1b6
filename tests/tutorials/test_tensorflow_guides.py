"""The guides users follow after ours, with only the import lines changed: TensorFlow's
quickstart for beginners, its Fashion-MNIST basic classification, and Keras' functional API
guide (the MNIST model, the toy ResNet, feature extraction)."""

import pytest


def test_tensorflow_quickstart_for_beginners(small_datasets):
    import neurona as tf  # was: import tensorflow as tf

    mnist = tf.keras.datasets.mnist

    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    x_train, x_test = x_train / 255.0, x_test / 255.0

    model = tf.keras.models.Sequential([
        tf.keras.layers.Flatten(input_shape=(28, 28)),
        tf.keras.layers.Dense(128, activation='relu'),
        tf.keras.layers.Dropout(0.2),
        tf.keras.layers.Dense(10)
    ])
    predictions = model(x_train[:1]).numpy()
    tf.nn.softmax(predictions).numpy()
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    loss_fn(y_train[:1], predictions).numpy()
    model.compile(optimizer='adam',
                  loss=loss_fn,
                  metrics=['accuracy'])
    model.fit(x_train, y_train, epochs=5)
    results = model.evaluate(x_test,  y_test, verbose=2)
    probability_model = tf.keras.Sequential([
      model,
      tf.keras.layers.Softmax()
    ])
    probabilities = probability_model(x_test[:5])

    assert predictions.shape == (1, 10)
    # The tutorial reaches 98% on all of MNIST; a twentieth of it still clears 90%.
    assert results[1] > 0.9
    assert probabilities.shape == (5, 10)
    assert abs(float(probabilities.numpy().sum()) - 5) < 1e-4


def test_tensorflow_basic_classification_fashion_mnist(small_datasets):
    import matplotlib.pyplot as plt
    import numpy as np

    import neurona as tf  # was: import tensorflow as tf

    fashion_mnist = tf.keras.datasets.fashion_mnist
    (train_images, train_labels), (test_images, test_labels) = fashion_mnist.load_data()
    class_names = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat',
                   'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']
    plt.figure()
    plt.imshow(train_images[0])
    plt.colorbar()
    plt.grid(False)
    plt.show()
    train_images = train_images / 255.0
    test_images = test_images / 255.0
    model = tf.keras.Sequential([
        tf.keras.layers.Flatten(input_shape=(28, 28)),
        tf.keras.layers.Dense(128, activation='relu'),
        tf.keras.layers.Dense(10)
    ])
    model.compile(optimizer='adam',
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=['accuracy'])
    model.fit(train_images, train_labels, epochs=10)
    test_loss, test_acc = model.evaluate(test_images,  test_labels, verbose=2)
    print('\nTest accuracy:', test_acc)
    probability_model = tf.keras.Sequential([model,
                                             tf.keras.layers.Softmax()])
    predictions = probability_model.predict(test_images)
    np.argmax(predictions[0])
    img = test_images[1]
    img = (np.expand_dims(img,0))
    predictions_single = probability_model.predict(img)
    np.argmax(predictions_single[0])

    assert class_names[int(np.argmax(predictions_single[0]))] in class_names
    # The tutorial reports 88% on all of Fashion-MNIST; 3,000 images give about 80%.
    assert test_acc > 0.75
    assert isinstance(test_acc, float)


def test_keras_functional_api_guide_mnist_model(data_dir, tmp_path, monkeypatch):
    import numpy as np  # noqa: F401  (the guide imports it)

    monkeypatch.chdir(tmp_path)
    from neurona import keras  # was: import keras
    from neurona.keras import layers  # was: from keras import layers

    inputs = keras.Input(shape=(784,))
    dense = layers.Dense(64, activation="relu")
    x = dense(inputs)
    x = layers.Dense(64, activation="relu")(x)
    outputs = layers.Dense(10)(x)
    model = keras.Model(inputs=inputs, outputs=outputs, name="mnist_model")
    model.summary()

    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()

    x_train = x_train.reshape(60000, 784).astype("float32") / 255
    x_test = x_test.reshape(10000, 784).astype("float32") / 255

    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=keras.optimizers.RMSprop(),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )

    history = model.fit(x_train, y_train, batch_size=64, epochs=2, validation_split=0.2)

    test_scores = model.evaluate(x_test, y_test, verbose=2)
    print("Test loss:", test_scores[0])
    print("Test accuracy:", test_scores[1])

    model.save("my_model.keras")
    del model
    # Recreate the exact same model purely from the file:
    model = keras.models.load_model("my_model.keras")

    assert model.count_params() == 55050
    # The guide prints a test accuracy of about 0.96.
    assert test_scores[1] > 0.95
    assert set(history.history) == {"loss", "sparse_categorical_accuracy", "val_loss",
                                    "val_sparse_categorical_accuracy"}
    assert model.evaluate(x_test, y_test, verbose=0)[1] == pytest.approx(test_scores[1])


def test_keras_functional_api_guide_toy_resnet():
    import numpy as np

    from neurona import keras  # was: import keras
    from neurona.keras import layers  # was: from keras import layers

    inputs = keras.Input(shape=(32, 32, 3), name="img")
    x = layers.Conv2D(32, 3, activation="relu")(inputs)
    x = layers.Conv2D(64, 3, activation="relu")(x)
    block_1_output = layers.MaxPooling2D(3)(x)

    x = layers.Conv2D(64, 3, activation="relu", padding="same")(block_1_output)
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
    block_2_output = layers.add([x, block_1_output])

    x = layers.Conv2D(64, 3, activation="relu", padding="same")(block_2_output)
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
    block_3_output = layers.add([x, block_2_output])

    x = layers.Conv2D(64, 3, activation="relu")(block_3_output)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(256, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(10)(x)

    model = keras.Model(inputs, outputs, name="toy_resnet")
    model.summary()

    # The guide trains on CIFAR-10, which neurona does not ship: a few random images check
    # that the residual graph trains.
    rng = np.random.default_rng(0)
    x_train = rng.random((64, 32, 32, 3)).astype("float32")
    y_train = keras.utils.to_categorical(rng.integers(0, 10, 64), 10)

    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss=keras.losses.CategoricalCrossentropy(from_logits=True),
        metrics=["acc"],
    )
    history = model.fit(x_train[:1000], y_train[:1000], batch_size=64, epochs=1, validation_split=0.2)

    assert model.count_params() == 223242  # as the guide's summary prints
    assert np.isfinite(history.history["loss"]).all()


def test_keras_functional_api_guide_feature_extraction():
    import numpy as np

    from neurona import keras  # was: import keras
    from neurona.keras import layers  # was: from keras import layers

    # The guide extracts VGG19's features; any trained model's layers work the same way.
    model = keras.Sequential([keras.Input(shape=(8, 8, 1)), layers.Conv2D(4, 3, activation="relu"),
                              layers.Flatten(), layers.Dense(3)])
    features_list = [layer.output for layer in model.layers]
    feat_extraction_model = keras.Model(inputs=model.input, outputs=features_list)
    img = np.random.random((1, 8, 8, 1)).astype("float32")
    extracted_features = feat_extraction_model(img)

    assert [f.shape for f in extracted_features] == [(1, 6, 6, 4), (1, 144), (1, 3)]
    np.testing.assert_allclose(extracted_features[-1].numpy(), model.predict(img), rtol=1e-5)
