"""`tf.random.set_seed`: the TensorFlow tutorials' way to make runs repeatable."""

from neurona.utils import set_random_seed


def set_seed(seed):
    """Seed every generator neurona draws from (`neurona.utils.set_random_seed`)."""
    set_random_seed(seed)
