"""Where a second BLAS thread starts to pay: one training step's two large products
(forward x @ W and weight gradient x.T @ d) timed on 1 and 2 threads, for shapes around the
crossover that `neurona.kernels.policy` measures on each machine (a shorter ladder of the same
products), printed here in full.

    python -m benchmarks.blas_crossover
"""

SHAPES = [  # (batch, fan_in, units)
    (32, 784, 16), (32, 784, 32), (32, 256, 128), (32, 784, 64), (16, 784, 128), (8, 784, 256),
    (32, 784, 128), (64, 784, 64), (128, 784, 256), (1024, 784, 15),
]


def main():
    from benchmarks.harness import machine_facts
    from neurona.kernels.policy import product_timings

    print(machine_facts("BLAS 1 and 2, as the columns say"))
    print()
    print("| batch x fan_in x units | multiply-adds | 1 thread | 2 threads | ratio |")
    print("| --- | --- | --- | --- | --- |")
    for (batch, fan_in, units), (multiply_adds, single, double) in zip(SHAPES, product_timings(SHAPES, threads=2)):
        print(f"| {batch} x {fan_in} x {units} | {multiply_adds / 1e6:.2f}M | {single * 1e6:.0f} us "
              f"| {double * 1e6:.0f} us | {double / single:.2f} |")


if __name__ == "__main__":
    main()
