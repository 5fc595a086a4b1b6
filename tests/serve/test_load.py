"""A short run of the load benchmark (`make bench-serve`): no errors; timings are not asserted."""

from benchmarks.serve_load import png_bodies, run_load


def test_a_short_load_run_has_no_errors(mnist_server):
    result = run_load("127.0.0.1", mnist_server.port, png_bodies(count=20), clients=4, requests_per_client=50,
                      time_limit=120)
    assert result["errors"] == 0, result["first_errors"]
    assert result["requests"] == 200
    assert mnist_server.healthy()
