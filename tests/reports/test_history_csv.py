import math

from neurona.reports.history_csv import read_history_csv, write_history_csv


def test_round_trip_keeps_key_order_and_exact_values(tmp_path):
    history = {"loss": [0.1 + 0.2, 1 / 3], "accuracy": [0.5, 0.75], "val_loss": [0.4, 0.35]}
    path = write_history_csv(history, tmp_path / "history.csv")
    assert path == tmp_path / "history.csv"
    assert path.read_text().splitlines()[:2] == ["epoch,loss,accuracy,val_loss", f"1,{0.1 + 0.2!r},0.5,0.4"]
    assert read_history_csv(path) == history
    assert [p.name for p in tmp_path.iterdir()] == ["history.csv"]  # no temporary file left


def test_a_shorter_series_leaves_empty_cells_read_back_as_nan(tmp_path):
    path = write_history_csv({"loss": [1.0, 0.5], "val_loss": [0.9]}, tmp_path / "history.csv")
    assert path.read_text().splitlines()[2] == "2,0.5,"
    history = read_history_csv(path)
    assert history["loss"] == [1.0, 0.5] and math.isnan(history["val_loss"][1])


def test_accepts_a_history_object(tmp_path):
    class History:
        history = {"loss": [0.5]}

    assert read_history_csv(write_history_csv(History(), tmp_path / "h.csv")) == {"loss": [0.5]}


def test_reads_a_csv_logger_file_with_zero_based_epochs_and_na(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("epoch,accuracy,loss\n0,0.5,1.2\n1,NA,0.8\n")
    history = read_history_csv(path)
    assert list(history) == ["accuracy", "loss"]
    assert history["loss"] == [1.2, 0.8] and math.isnan(history["accuracy"][1])
