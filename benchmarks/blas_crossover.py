"""Where a second BLAS thread starts to pay: one training step's two large products
(forward x @ W and weight gradient x.T @ d) timed on 1 and 2 threads, for shapes around the
crossover that `neurona.kernels.policy` measures on each machine (a shorter ladder of the same
products), printed here in full.

    python -m benchmarks.blas_crossover
"""

import timeit

import numpy as np

SHAPES = [  # (batch, fan_in, units)
    (32, 784, 16), (32, 784, 32), (32, 256, 128), (32, 784, 64), (16, 784, 128), (8, 784, 256),
    (32, 784, 128), (64, 784, 64), (128, 784, 256), (1024, 784, 15),
]


def main():
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    print("| batch x fan_in x units | multiply-adds | 1 thread | 2 threads | ratio |")
    print("| --- | --- | --- | --- | --- |")
    for batch, fan_in, units in SHAPES:
        x = rng.random((batch, fan_in), dtype=np.float32)
        kernel = rng.random((fan_in, units), dtype=np.float32)
        grad_out = rng.random((batch, units), dtype=np.float32)
        out, grad_kernel = np.empty((batch, units), np.float32), np.empty((fan_in, units), np.float32)

        def step():
            np.matmul(x, kernel, out=out)
            np.matmul(x.T, grad_out, out=grad_kernel)

        number = max(20, int(3e8 / (batch * fan_in * units)))
        micros = []
        for threads in (1, 2):
            with threadpool_limits(threads, user_api="blas"):
                micros.append(min(timeit.repeat(step, number=number, repeat=5)) / number * 1e6)
        print(f"| {batch} x {fan_in} x {units} | {batch * fan_in * units / 1e6:.2f}M | {micros[0]:.0f} us "
              f"| {micros[1]:.0f} us | {micros[1] / micros[0]:.2f} |")


if __name__ == "__main__":
    main()
