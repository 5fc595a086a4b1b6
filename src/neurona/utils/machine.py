"""The machine neurona runs on, in words: CPU model and features, usable cores, BLAS.

The execution policy keys its measured thread counts by this description, and the benchmarks
print it beside their figures.
"""

import os
import platform
from pathlib import Path


def cpu_info(path="/proc/cpuinfo"):
    """`parse_cpuinfo` of this machine's /proc/cpuinfo; empty where it cannot be read."""
    try:
        return parse_cpuinfo(Path(path).read_text())
    except OSError:
        return {}


def parse_cpuinfo(text):
    """The first processor's model name, vendor, family, model and stepping numbers and flags
    from /proc/cpuinfo text, and the number of processors listed.

    Returns {'model_name': str or None, 'vendor': str or None, 'family': int or None,
    'model': int or None, 'stepping': int or None, 'flags': frozenset, 'processors': int}.
    ARM kernels list 'Features' where x86 lists 'flags', and often no model name."""
    first, processors = {}, 0
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "processor":
            processors += 1
        if processors <= 1 and key not in first:
            first[key] = value

    def number(key):
        value = first.get(key, "")
        try:
            return int(value, 0)
        except ValueError:
            return None

    flags = first.get("flags", first.get("features", ""))
    return {"model_name": first.get("model name") or None, "vendor": first.get("vendor_id") or None,
            "family": number("cpu family"), "model": number("model"), "stepping": number("stepping"),
            "flags": frozenset(flags.split()), "processors": processors}


X86_MACHINES = ("x86_64", "amd64", "i386", "i686")


def usable_cores():
    """Logical CPUs this process may run on (its affinity mask), else all of them."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count()


def cpu_description(info, machine=None, cores=None):
    """'AMD EPYC (x86_64, family 25, model 1), 2 cores, no AVX-512 (AVX2, FMA)' from
    `parse_cpuinfo`'s result (`machine`: platform.machine(), `cores`: `usable_cores()` unless
    given); the vector extensions only on x86."""
    machine = machine or platform.machine()
    cores = cores or usable_cores()
    details = [machine] if machine else []
    if info.get("family") is not None and info.get("model") is not None:
        details.append(f"family {info['family']}, model {info['model']}")
    text = info.get("model_name") or platform.processor() or machine or "unknown CPU"
    if details:
        text += f" ({', '.join(details)})"
    text += f", {cores} cores"
    if info.get("processors") and info["processors"] != cores:
        text += f" usable ({info['processors']} listed)"
    if machine and machine.lower() in X86_MACHINES and info.get("flags"):
        flags = info["flags"]
        avx512 = sorted(flag for flag in flags if flag.startswith("avx512"))
        if "avx512f" in flags:
            text += f", AVX-512 ({', '.join(avx512)})"
        else:
            others = [name for name, flag in (("AVX2", "avx2"), ("FMA", "fma")) if flag in flags]
            text += ", no AVX-512" + (f" ({', '.join(others)})" if others else "")
    return text


def blas_description():
    """NumPy's BLAS: 'openblas 0.3.31.188.0 (Haswell)', or 'unknown BLAS'."""
    from threadpoolctl import threadpool_info

    pool = numpy_blas(threadpool_info())
    if pool is None:
        return "unknown BLAS"
    return f"{pool.get('internal_api')} {pool.get('version')} ({pool.get('architecture')})"


def numpy_blas(pools):
    """NumPy's own BLAS among threadpoolctl's `pools`, or None.

    Other libraries bring BLAS libraries of their own (importing Numba loads SciPy's OpenBLAS
    when SciPy is installed), and the order in which threadpoolctl lists them differs from one
    process to the next: the one in NumPy's folder (numpy.libs, numpy/.dylibs) is NumPy's, else
    the first by path, so a process names the same BLAS every time."""
    blas = sorted((pool for pool in pools if pool.get("user_api") == "blas"), key=lambda pool: str(pool.get("filepath")))
    for pool in blas:
        parts = Path(str(pool.get("filepath"))).parts
        if any(part.split(".")[0] == "numpy" for part in parts[:-1]):
            return pool
    return blas[0] if blas else None
