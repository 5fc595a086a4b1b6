"""The prediction workers: a fixed set of threads, a bounded queue, a time limit per request.

Each thread owns one `model.Predictor` (its own copy of the model) and runs one job at a time
from the shared queue. A job that finds the queue full is refused at once (`Overloaded`, a
503), so work never piles up without bound; a job not done within the time limit is answered
`TimedOut` (a 503 too) and, if it has not started yet, skipped when its turn comes.
"""

import asyncio
import queue
import threading


class Overloaded(Exception):
    """Every worker is busy and the queue is full."""


class TimedOut(Exception):
    """A job took longer than the pool's time limit."""


class WorkerPool:
    """Threads running `function(predictor, *args)` jobs for the event loop.

    Args:
        predictors: one per worker thread.
        max_queue: jobs that may wait for a worker (beyond those running).
        timeout: seconds a job may take, waiting included.
    """

    def __init__(self, predictors, max_queue=64, timeout=10.0):
        if isinstance(max_queue, bool) or not isinstance(max_queue, int) or max_queue < 1:
            raise ValueError(f"max_queue must be a positive integer. Received: max_queue={max_queue!r}")
        if not timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds. Received: timeout={timeout!r}")
        self.timeout = float(timeout)
        self.max_queue = max_queue
        self._jobs = queue.Queue(maxsize=max_queue)
        self._threads = [threading.Thread(target=self._work, args=(predictor,), daemon=True,
                                          name=f"neurona-serve-{index}")
                         for index, predictor in enumerate(predictors)]
        if not self._threads:
            raise ValueError("WorkerPool needs at least one predictor.")
        for thread in self._threads:
            thread.start()

    @property
    def size(self):
        return len(self._threads)

    async def run(self, function, *args):
        """`function(predictor, *args)` on a worker; its result, or its exception raised here.

        Raises:
            Overloaded: the queue is full.
            TimedOut: no result within `timeout` seconds.
        """
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        try:
            self._jobs.put_nowait((function, args, future, loop))
        except queue.Full:
            raise Overloaded(f"The server is busy: {self.size} predictions running and {self.max_queue} waiting. "
                             "Try again shortly.") from None
        try:
            return await asyncio.wait_for(future, self.timeout)
        except TimeoutError:
            raise TimedOut(f"The prediction took longer than the limit of {self.timeout:g} s.") from None

    def close(self):
        """Stop the threads after the jobs already queued (each thread ends at its None)."""
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join(timeout=self.timeout)

    def _work(self, predictor):
        while True:
            job = self._jobs.get()
            if job is None:
                return
            function, args, future, loop = job
            if future.done():  # timed out (cancelled) while it waited
                continue
            try:
                outcome = (True, function(predictor, *args))
            except Exception as error:  # noqa: BLE001 - handed to the request that asked
                outcome = (False, error)
            try:
                loop.call_soon_threadsafe(_settle, future, outcome)
            except RuntimeError:  # the event loop has closed: nobody waits for this result
                return


def _settle(future, outcome):
    if future.done():
        return
    succeeded, value = outcome
    if succeeded:
        future.set_result(value)
    else:
        future.set_exception(value)
