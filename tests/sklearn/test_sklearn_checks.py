"""scikit-learn's own estimator checks, every one of them, on a small NeuronaClassifier.

`tests/sklearn` has no `__init__.py`: a package named `sklearn` on the test path would hide
scikit-learn itself.
"""

import pytest

pytest.importorskip("sklearn")

from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from neurona.sklearn import NeuronaClassifier  # noqa: E402

# Small enough that the few hundred fits of the checks stay quick; large enough to pass
# check_classifiers_train's accuracy bar on its blobs.
SMALL = NeuronaClassifier(hidden_layer_sizes=(16,), epochs=20, batch_size=16, learning_rate=0.01, random_state=0)


@parametrize_with_checks([SMALL, NeuronaClassifier(random_state=0)], expected_failed_checks=lambda estimator: {})
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
