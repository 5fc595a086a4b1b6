"""Concurrent requests share no mutable state; overload and slow work are answered 503."""

import asyncio
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from neurona import datasets
from neurona.serve.pool import Overloaded, TimedOut, WorkerPool
from serve.images import encode, photo_of


def test_concurrent_predictions_equal_the_same_ones_made_one_at_a_time(serve, mnist_run):
    server = serve(mnist_run, threads=4)
    test = datasets.load("mnist")
    rng = np.random.default_rng(0)
    requests = []
    for index in range(48):
        if index % 3 == 0:  # an image, with its saliency (a backward pass on the worker's model)
            image = photo_of(test.x_test[index], scale=3)
            requests.append(("image", encode(image)))
        else:  # a batch of 1 to 12 instances of different sizes, so that buffers would be resized
            count = int(rng.integers(1, 13))
            x = test.x_test[index:index + count].reshape(count, 784) / 255
            requests.append(("json", json.dumps({"instances": x.round(3).tolist()}).encode()))

    def send(request):
        kind, body = request
        if kind == "image":
            return server.post_image(body, path="/api/predict?saliency=1")
        return server.request("POST", "/api/predict", body, {"Content-Type": "application/json"})

    alone = [send(request) for request in requests]
    with ThreadPoolExecutor(max_workers=16) as executor:
        together = list(executor.map(send, requests * 2, timeout=120))
    assert all(status == 200 for status, _, _ in alone)
    for index, (status, _, answer) in enumerate(together):
        assert status == 200, answer
        # Exactly equal: the same arithmetic on the same inputs, whatever ran beside it.
        assert answer == alone[index % len(requests)][2], f"request {index % len(requests)} differs"


def test_the_pool_refuses_work_beyond_its_queue_and_runs_the_rest():
    release, started = threading.Event(), threading.Event()

    def job(predictor, value):
        started.set()
        release.wait(10)
        return (predictor, value)

    pool = WorkerPool(["worker-a"], max_queue=2, timeout=10)

    async def scenario():
        running = [asyncio.ensure_future(pool.run(job, 0))]
        while not started.is_set():  # the worker has taken the first job
            await asyncio.sleep(0.01)
        running += [asyncio.ensure_future(pool.run(job, index)) for index in (1, 2)]
        await asyncio.sleep(0)  # both queued: the queue is full
        with pytest.raises(Overloaded, match="1 predictions running and 2 waiting"):
            await pool.run(job, 99)
        release.set()
        return await asyncio.gather(*running)

    try:
        assert asyncio.run(asyncio.wait_for(scenario(), 20)) == [("worker-a", 0), ("worker-a", 1), ("worker-a", 2)]
    finally:
        release.set()
        pool.close()


def test_a_job_past_the_time_limit_times_out_and_a_waiting_one_is_skipped():
    release = threading.Event()
    ran = []

    def job(predictor, value):
        ran.append(value)
        release.wait(10)
        return value

    pool = WorkerPool(["worker"], max_queue=4, timeout=0.2)

    async def scenario():
        first = asyncio.ensure_future(pool.run(job, 1))
        second = asyncio.ensure_future(pool.run(job, 2))
        for future in (first, second):
            with pytest.raises(TimedOut, match="limit of 0.2 s"):
                await future

    try:
        asyncio.run(scenario())
    finally:
        release.set()
        pool.close()
    assert ran == [1]  # the second job timed out while it waited, so it never ran


def test_job_errors_reach_the_request_that_asked():
    pool = WorkerPool(["worker"], max_queue=2, timeout=5)

    def job(predictor, value):
        raise ValueError(f"bad {value}")

    try:
        with pytest.raises(ValueError, match="bad 3"):
            asyncio.run(pool.run(job, 3))
    finally:
        pool.close()


def test_overload_and_time_limit_over_http(serve, mnist_run):
    """One thread, a queue of one and a 50 ms limit: a burst of large batches gets 503s, each a
    JSON error, and the server answers afterwards."""
    server = serve(mnist_run, "--queue", "1", "--timeout", "0.05", threads=1)
    body = json.dumps({"instances": [[1] * 784] * 256}).encode()

    def send(_):
        return server.request("POST", "/api/predict", body, {"Content-Type": "application/json"})

    with ThreadPoolExecutor(max_workers=12) as executor:
        answers = list(executor.map(send, range(24), timeout=120))
    statuses = [status for status, _, _ in answers]
    assert set(statuses) <= {200, 503}, statuses
    refused = [answer["error"] for status, _, answer in answers if status == 503]
    assert refused, statuses
    assert all("busy" in error or "longer than the limit" in error for error in refused)
    assert server.healthy()
