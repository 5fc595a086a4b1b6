"""The tutorials' Keras code, pasted as a user would, with only the import lines changed.

Datasets are cut to a few thousand samples (see conftest) so each runs in seconds; the
examples/ scripts reproduce the full results, and Keras' convnet runs in full in a slow test.
"""

import warnings

import pytest


def test_seed000_model_code(small_datasets):
    import numpy as np

    import neurona as tf  # was: import tensorflow as tf

    (x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()
    train_x, train_y = x_train.reshape(-1, 784) / 255, y_train
    test_x, test_y = x_test.reshape(-1, 784) / 255, y_test

    model = tf.keras.models.Sequential([
        tf.keras.layers.Flatten(input_shape=(784,)),  # Input layer: flatten the input images
        tf.keras.layers.Dense(128, activation='relu'),  # Hidden layer: 128 neurons, ReLU activation
        tf.keras.layers.Dense(10, activation='softmax')  # Output layer: 10 neurons (one for each digit), softmax activation
    ])
    model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
    model.fit(train_x, train_y, epochs=10)
    validResults = 0
    predictions = model.predict(test_x)
    for i in range(len(test_y)):
        expectedResult = int(test_y[int(i)])
        result = np.argmax(predictions[i])
        if result == expectedResult:
            validResults = validResults + 1
    assert validResults / len(test_y) > 0.9


def test_seed002_model_code(small_datasets):
    import matplotlib.pyplot as plt
    import numpy as np

    from neurona.datasets import mnist  # was: from keras.datasets import mnist
    from neurona.layers import Dense  # was: from keras.layers import Dense
    from neurona.models import Sequential  # was: from keras.models import Sequential
    from neurona.optimizers import SGD  # was: from keras.optimizers import SGD
    from neurona.utils import np_utils  # was: from keras.utils import np_utils

    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    ids_imgs = np.random.randint(0, x_train.shape[0], 16)
    for i in range(len(ids_imgs)):
        img = x_train[ids_imgs[i], :, :]
        plt.subplot(4, 4, i + 1)
        plt.imshow(img, cmap='gray')
        plt.axis('off')
        plt.title(y_train[ids_imgs[i]])
    plt.suptitle('16 imágenes del set MNIST')
    plt.show()

    X_train = np.reshape(x_train, (x_train.shape[0], x_train.shape[1] * x_train.shape[2]))
    X_test = np.reshape(x_test, (x_test.shape[0], x_test.shape[1] * x_test.shape[2]))
    X_train = X_train / 255.0
    X_test = X_test / 255.0
    nclasses = 10
    Y_train = np_utils.to_categorical(y_train, nclasses)
    Y_test = np_utils.to_categorical(y_test, nclasses)

    np.random.seed(1)
    input_dim = X_train.shape[1]
    output_dim = Y_train.shape[1]
    modelo = Sequential()
    modelo.add(Dense(15, input_dim=input_dim, activation='relu'))
    modelo.add(Dense(output_dim, activation='softmax'))
    modelo.summary()

    with pytest.warns(DeprecationWarning, match="lr"):
        sgd = SGD(lr=0.2)
    modelo.compile(loss='categorical_crossentropy', optimizer=sgd, metrics=['accuracy'])
    num_epochs = 50
    batch_size = 1024
    historia = modelo.fit(X_train, Y_train, epochs=num_epochs, batch_size=batch_size, verbose=2)

    plt.subplot(1, 2, 1)
    plt.plot(historia.history['loss'])
    plt.title('Pérdida vs. iteraciones')
    plt.subplot(1, 2, 2)
    plt.plot(historia.history['acc'])
    plt.title('Precisión vs. iteraciones')
    plt.show()

    puntaje = modelo.evaluate(X_test, Y_test, verbose=0)
    print('Precisión en el set de validación: {:.1f}%'.format(100 * puntaje[1]))
    assert puntaje[1] > 0.8

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        Y_pred = modelo.predict_classes(X_test)
    ids_imgs = np.random.randint(0, X_test.shape[0], 9)
    for i in range(len(ids_imgs)):
        idx = ids_imgs[i]
        img = X_test[idx, :].reshape(28, 28)
        cat_original = np.argmax(Y_test[idx, :])
        cat_prediccion = Y_pred[idx]
        plt.subplot(3, 3, i + 1)
        plt.imshow(img, cmap='gray')
        plt.axis('off')
        plt.title('"{}" clasificado como "{}"'.format(cat_original, cat_prediccion))
    plt.suptitle('Ejemplos de clasificación en el set de validación')
    plt.show()
    assert Y_pred.shape == (len(X_test),)


def test_seed003_model_code(small_datasets):
    from neurona.keras.datasets import mnist  # was: from tensorflow.keras.datasets import mnist
    from neurona import keras  # was: from tensorflow import keras
    from neurona.keras import layers  # was: from tensorflow.keras import layers

    (train_images, train_labels), (test_images, test_labels) = mnist.load_data()
    train_images = train_images.astype("float32") / 255
    test_images = test_images.astype("float32") / 255

    modelo = keras.Sequential([
        layers.Flatten(input_shape=(28, 28)),
        layers.Dense(256, activation="relu"),
        layers.Dense(10, activation="softmax")
    ])
    modelo.compile(optimizer="rmsprop",
                   loss="sparse_categorical_crossentropy",
                   metrics=["accuracy"])
    modelo.fit(train_images, train_labels, epochs=8, batch_size=128,
               validation_data=(test_images, test_labels))

    digitos_a_testear = test_images[99]
    with pytest.warns(UserWarning, match="batch of one"):
        predicciones = modelo.predict(digitos_a_testear)
    assert predicciones.shape == (1, 10)
    assert predicciones[0].argmax() == test_labels[99]


def test_seed004_model_code(small_datasets, monkeypatch):
    import numpy as np

    from neurona.datasets import fashion_mnist  # was: from keras.datasets import fashion_mnist
    from neurona.utils import to_categorical  # was: from keras.utils import to_categorical
    from neurona import models, layers  # was: from keras import models, layers

    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    # The tutorial reshapes with the full set's sizes; scale them to the subset.
    x_train = x_train.reshape((len(x_train), 784))
    x_train = x_train.astype('float32') / 255
    y_train = to_categorical(y_train)
    x_test = x_test.reshape((len(x_test), 784))
    x_test = x_test.astype('float32') / 255
    y_test = to_categorical(y_test)

    np.random.seed(42)
    permutation = np.random.permutation(x_train.shape[0])
    x_train = x_train[permutation]
    y_train = y_train[permutation]
    num_val = 1000
    x_val = x_train[:num_val]
    x_train = x_train[num_val:]
    y_val = y_train[:num_val]
    y_train = y_train[num_val:]

    model = models.Sequential()
    model.add(layers.Dense(256, activation='relu', input_shape=(784,)))  # 28x28=784
    model.add(layers.Dense(128, activation='relu'))
    model.add(layers.Dense(10, activation='softmax'))
    model.compile(optimizer='rmsprop',
                  loss='categorical_crossentropy',
                  metrics=['accuracy'])
    train_log = model.fit(x_train, y_train,
                          epochs=8, batch_size=128,
                          validation_data=(x_val, y_val))
    test_loss, test_accuracy = model.evaluate(x_test, y_test)
    print(test_accuracy)

    loss = train_log.history['loss']
    val_loss = train_log.history['val_loss']
    acc = train_log.history['accuracy']
    val_acc = train_log.history['val_accuracy']
    assert len(loss) == len(val_loss) == len(acc) == len(val_acc) == 8
    predictions = model.predict(x_test)
    assert predictions.shape == (len(x_test), 10)
    assert test_accuracy > 0.7


def simple_mnist_convnet():
    """keras.io's "Simple MNIST convnet" (examples/vision/mnist_convnet.py); returns (model, score)."""
    import numpy as np
    from neurona import keras  # was: import keras
    from neurona.keras import layers  # was: from keras import layers

    # Model / data parameters
    num_classes = 10
    input_shape = (28, 28, 1)

    # Load the data and split it between train and test sets
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()

    # Scale images to the [0, 1] range
    x_train = x_train.astype("float32") / 255
    x_test = x_test.astype("float32") / 255
    # Make sure images have shape (28, 28, 1)
    x_train = np.expand_dims(x_train, -1)
    x_test = np.expand_dims(x_test, -1)
    print("x_train shape:", x_train.shape)
    print(x_train.shape[0], "train samples")
    print(x_test.shape[0], "test samples")

    # convert class vectors to binary class matrices
    y_train = keras.utils.to_categorical(y_train, num_classes)
    y_test = keras.utils.to_categorical(y_test, num_classes)

    model = keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(num_classes, activation="softmax"),
        ]
    )

    model.summary()

    batch_size = 128
    epochs = 15

    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])

    model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, validation_split=0.1)

    score = model.evaluate(x_test, y_test, verbose=0)
    print("Test loss:", score[0])
    print("Test accuracy:", score[1])
    return model, score


def _check_convnet(model, score, output):
    assert model.count_params() == 34826
    assert "Total params: 34,826" in output
    assert model.input_shape == (28, 28, 1)
    assert model.history.history.keys() >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(model.history.history["loss"]) == 15


def test_keras_simple_mnist_convnet_code(tiny_mnist, capsys):
    model, score = simple_mnist_convnet()
    output = capsys.readouterr().out
    _check_convnet(model, score, output)
    assert "x_train shape: (256, 28, 28, 1)" in output
    assert score[1] > 0.5  # 230 training images, fifteen epochs; ten classes


@pytest.mark.slow
def test_keras_simple_mnist_convnet_reaches_its_accuracy(data_dir, capsys):
    model, score = simple_mnist_convnet()
    output = capsys.readouterr().out
    _check_convnet(model, score, output)
    assert "60000 train samples" in output
    print(f"\nSimple MNIST convnet: test accuracy {score[1]:.4f} (Keras: 0.9922)")
    assert score[1] >= 0.990
