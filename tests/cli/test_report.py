from .report_checks import check_run_folder


def test_report_rebuilds_the_page(mnist_run, run_cli):
    (mnist_run / "report.html").unlink()
    result = run_cli("report", mnist_run)
    assert result.code == 0, result.err
    assert result.out.strip() == f"Wrote {mnist_run / 'report.html'}"
    check_run_folder(mnist_run)
    page = (mnist_run / "report.html").read_text(encoding="utf-8")
    for text in ("Test accuracy", "Per class", "Configuration", "mnist-mlp", "history.png"):
        assert text in page
