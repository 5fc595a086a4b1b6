"""The tutorials' reported results, reproduced by the scripts in examples/ on the full data."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run_example(name, data_dir):
    env = {**os.environ, "NEURONA_DATA_DIR": str(data_dir), "MPLBACKEND": "Agg"}
    completed = subprocess.run([sys.executable, str(EXAMPLES / name)], env=env, capture_output=True,
                               text=True, timeout=1800)
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def printed_test_accuracy(output):
    return float(re.search(r"^Test accuracy: ([0-9.]+)$", output, re.MULTILINE).group(1))


@pytest.mark.slow
@pytest.mark.parametrize(
    "script, minimum",
    [
        ("seed000_mnist_mlp.py", 0.973),
        ("seed002_mnist_sgd.py", 0.940),
        ("seed003_mnist_rmsprop.py", 0.976),
        ("seed004_fashion_mnist.py", 0.870),
    ],
)
def test_keras_style_examples_reach_the_tutorials_accuracy(script, minimum, data_dir):
    assert printed_test_accuracy(run_example(script, data_dir)) >= minimum
