import csv
import json


def test_evaluate_a_run_on_its_own_test_images(mnist_run, run_cli):
    result = run_cli("evaluate", mnist_run, "--limit-test", "400")
    assert result.code == 0, result.err
    metrics = json.loads((mnist_run / "metrics.json").read_text())
    lines = result.out.splitlines()
    assert "Data: mnist test images (400)" in result.out
    accuracy = float(next(line for line in lines if line.startswith("Test accuracy:")).split()[-1].rstrip("%"))
    assert abs(accuracy / 100 - metrics["test_accuracy"]) < 0.05
    assert any(line.split()[:4] == ["precision", "recall", "f1", "support"] for line in lines)
    assert "Confusion matrix (rows: true class, columns: predicted):" in result.out
    matrix = lines[lines.index("Confusion matrix (rows: true class, columns: predicted):") + 2:]
    assert sum(int(count.replace(",", "")) for line in matrix for count in line.split()[1:]) == 400


def test_per_sample_prints_seed_000s_lines_and_writes_a_csv(mnist_run, run_cli, tmp_path):
    result = run_cli("evaluate", mnist_run / "model.neurona", "--data", "mnist", "--limit-test", "50",
                     "--per-sample", "--csv", tmp_path / "samples.csv")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith("Nº 1 | Expected result: 7 | Obtained result: ")
    assert lines[49].startswith("Nº 50 | Expected result: ")
    assert lines[50:53] == ["-------------------------------", "Results", "-------------------------------"]
    with open(tmp_path / "samples.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 50 and rows[0]["expected"] == "7" and rows[0]["outcome"] in ("OK", "Fail")


def test_per_sample_csv_goes_into_the_run_folder_by_default(mnist_run, run_cli):
    result = run_cli("evaluate", mnist_run, "--limit-test", "10", "--per-sample")
    assert result.code == 0, result.err
    assert (mnist_run / "per_sample_mnist.csv").is_file()
    (mnist_run / "per_sample_mnist.csv").unlink()


def test_evaluate_on_another_dataset_of_the_same_shape(mnist_run, run_cli):
    result = run_cli("evaluate", mnist_run, "--data", "fashion_mnist", "--limit-test", "100")
    assert result.code == 0, result.err
    assert "Data: fashion_mnist test images (100)" in result.out
    assert "Ankle boot" in result.out


def test_evaluate_a_convolutional_model_file_on_the_runs_own_test_images(cnn_run, cnn_model_file, run_cli):
    metrics = json.loads((cnn_run / "metrics.json").read_text())
    result = run_cli("evaluate", cnn_model_file, "--data", "mnist", "--limit-test", "200")
    assert result.code == 0, result.err
    assert f"Test accuracy: {metrics['test_accuracy']:.2%}" in result.out
    assert f"Test loss: {metrics['test_loss']:.4f}" in result.out
    in_folder = run_cli("evaluate", cnn_run, "--limit-test", "200")
    assert in_folder.code == 0, in_folder.err
    assert f"Test accuracy: {metrics['test_accuracy']:.2%}" in in_folder.out
