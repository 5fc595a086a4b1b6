"""Every optimizer's update as one kernel: a NumPy reference and a single compiled pass.

The classes in `neurona.optimizers` state each update rule, compute the per-step scalars
(the learning rate, bias corrections, Nadam's momentum products) and call `apply` with one of
these kernels, the parameter, its gradient and the slot arrays as the optimizer stores them
(Adam's and RMSprop's averages divided by (1 - decay), see `Optimizer.stored_slot_scales`).
Every kernel changes `param` and the slots in place and returns nothing.

Arrays reach a kernel 1-D, C-contiguous and of the parameter's dtype: `apply` flattens them
(`reshape(-1)` views), and runs the NumPy reference instead when it cannot give the compiled
kernel that: float16 (Numba has no float16 arithmetic), mixed dtypes, or a non-contiguous
array. A slot an option does not use (AMSGrad's maximum without amsgrad, RMSprop's momentum
without momentum, SGD's velocity without momentum) is passed as `unused(dtype)`, an empty
array that neither version touches. Scalars are passed as Python floats and bools, so Numba
compiles one signature per dtype; inside, they are cast to the array's dtype, so a float32
update computes in float32 as NumPy does (and at twice the vector width of float64).

The compiled kernels are elementwise, with no reduction: each element's result depends on
that element alone, so a run is bit-identical to the next whatever the thread count.

Subnormals. A slot that decays geometrically (momentum, velocities, averages, norms) drifts,
where its gradient is zero or tiny, through the subnormal range below `np.finfo(dtype).tiny`,
where arithmetic is slow and no precision is left that an update could use. Measured over
101,770 float32 values on a 2-core AMD EPYC: NumPy's sqrt takes 61 us on normal values and
104 us on subnormal ones, a division 17.5 us and 43 us. So every slot value whose magnitude is
below `tiny` is stored as 0.0:

- the compiled kernels flush every value as they store it, every step: a compare and a select
  in the loop, which stays vectorised. Adam over 101,770 float32 values on one thread: 40 us
  a step, 37 us for the same loop without the flush, and 102 us for that loop once its
  slots are subnormal (the flushing kernel: 43 us);
- the NumPy references flush only when called with flush=True (`_flush`: an absolute value, a
  compare and a masked copy, ~3 passes per slot), which the optimizers do every
  `neurona.optimizers.base.FLUSH_EVERY` steps, so the reference stays as fast as before. A
  value may be subnormal for up to that many steps in between, never longer.

NaN and inf are never flushed (|NaN| < tiny is false), so TerminateOnNaN still sees a run that
diverged. The parameters themselves are never flushed. float16 slots are not flushed either
(`flush_threshold` gives 0.0): float16's smallest normal, 6.1e-5, is an ordinary velocity.
Adam's V gathers about 16 g^2 between two flushes, so flushing would keep resetting it for
every |g| below ~2e-3; measured, 500 Adam steps of a constant gradient of 1e-3 move a float16
parameter by 2.86 with the flush and by 0.489 without it (float32: 0.500).
"""

import functools
import math

import numpy as np

from neurona.kernels import kernel, using_numba
from neurona.kernels._compile import compiled, prange

# The dtypes the compiled kernels take; anything else runs the NumPy reference.
COMPILED_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def apply(update, param, grad, *rest):
    """Run the kernel `update` on the path in force, with its array arguments flattened.

    `rest` is the kernel's remaining arguments in order (slots, scalars, scratch). When any
    array is float16, of another dtype than `param`, or not C-contiguous, the NumPy reference
    runs on the arrays as given (whole-array operations take any shape).
    """
    # These checks are a step's overhead: ~2 us a call (3.6 us with a reshape(-1) view of
    # every array; ravel only where ndim > 1, as the packed vectors of training are 1-D).
    dtype = param.dtype
    if dtype in COMPILED_DTYPES and using_numba():
        arguments = [param, grad, *rest]
        for index, value in enumerate(arguments):
            if isinstance(value, np.ndarray):
                if value.dtype != dtype or not value.flags.c_contiguous:
                    break
                if value.ndim != 1:
                    arguments[index] = value.ravel()
        else:
            update(*arguments)
            return
    update.numpy(param, grad, *rest)


@functools.lru_cache(maxsize=None)
def flush_threshold(dtype):
    """Slot values with magnitude below this are stored as 0: the dtype's smallest normal
    (`np.finfo(dtype).tiny`), or 0.0 (no flush) for float16, see the module docstring."""
    dtype = np.dtype(dtype)
    if dtype == np.float16:
        return 0.0
    return float(np.finfo(dtype).tiny)


@functools.lru_cache(maxsize=None)
def unused(dtype):
    """An empty array of `dtype`: the argument for a slot an option does not use."""
    return np.empty(0, dtype=dtype)


def _flush(tiny, scratch, *slots):
    """NumPy: store every slot value with |value| < tiny as 0 (NaN and inf are kept)."""
    if tiny <= 0:
        return
    for slot in slots:
        magnitude = np.abs(slot, out=scratch)
        np.copyto(slot, 0, where=magnitude < tiny)


@compiled()
def _flushed(value, small, zero):
    """Compiled helper: `zero` in place of a value whose magnitude is below `small` (the
    dtype's smallest normal), the value itself otherwise; NaN and inf pass through."""
    return zero if abs(value) < small else value


def _accumulate(total, decay, value):
    """total = decay * total + value, in place: (1 - decay) * total is then the exponential
    moving average of `value`."""
    total *= decay
    total += value


# Weight decay ----------------------------------------------------------------------------


def weight_decay_numpy(param, scale):
    """Decoupled weight decay (Keras' `_apply_weight_decay`, AdamW's first half), where the
    optimizer passes scale = weight_decay * learning_rate:

    w -= w * scale
    """
    param -= param * param.dtype.type(scale)


@kernel(weight_decay_numpy)
@compiled(parallel=True)
def weight_decay(param, scale):
    rate = param.dtype.type(scale)
    for i in prange(param.size):
        param[i] -= param[i] * rate


# SGD -------------------------------------------------------------------------------------


def sgd_numpy(param, grad, velocity, learning_rate, momentum, nesterov, tiny, flush, scratch):
    """SGD, plain or with (Nesterov) momentum; velocity is `unused` when momentum is 0.

    momentum == 0:  w -= lr * g
    momentum > 0:   v = momentum * v - lr * g;  w += v                       (nesterov False)
                                                w += momentum * v - lr * g   (nesterov True)
    """
    step = np.multiply(grad, learning_rate, out=scratch)
    if momentum == 0:
        param -= step
        return
    velocity *= momentum
    velocity -= step
    if nesterov:
        param -= step
        param += momentum * velocity
    else:
        param += velocity
    if flush:
        _flush(tiny, scratch, velocity)


@kernel(sgd_numpy)
@compiled(parallel=True)
def sgd(param, grad, velocity, learning_rate, momentum, nesterov, tiny, flush, scratch):
    real = param.dtype.type
    rate, decay, small, zero = real(learning_rate), real(momentum), real(tiny), real(0.0)
    with_momentum = momentum != 0
    for i in prange(param.size):
        step = grad[i] * rate
        if with_momentum:
            v = decay * velocity[i] - step
            v = _flushed(v, small, zero)
            velocity[i] = v
            if nesterov:
                param[i] = (param[i] - step) + decay * v
            else:
                param[i] += v
        else:
            param[i] -= step


# Adam ------------------------------------------------------------------------------------


def adam_numpy(param, grad, momentum, velocity, velocity_hat, beta_1, beta_2, step_size, epsilon, amsgrad,
               tiny, flush, scratch):
    """Adam on the stored slots M = m / (1 - beta_1), V = v / (1 - beta_2) (and AMSGrad's
    maximum V_max of V, `unused` without amsgrad):

    M = beta_1 * M + g;  V = beta_2 * V + g^2;  V_max = max(V_max, V)
    w -= step_size * M / (sqrt(V or V_max) + epsilon)

    where the optimizer passes step_size = alpha * (1 - beta_1) / sqrt(1 - beta_2) and
    epsilon = (Keras' epsilon) / sqrt(1 - beta_2).
    """
    _accumulate(momentum, beta_1, grad)
    _accumulate(velocity, beta_2, np.square(grad, out=scratch))
    if amsgrad:
        np.maximum(velocity_hat, velocity, out=velocity_hat)
        denominator = np.sqrt(velocity_hat, out=scratch)
    else:
        denominator = np.sqrt(velocity, out=scratch)
    denominator += epsilon
    step = np.divide(momentum, denominator, out=scratch)
    step *= step_size
    param -= step
    if flush:
        _flush(tiny, scratch, momentum, velocity, *((velocity_hat,) if amsgrad else ()))


@kernel(adam_numpy)
@compiled(parallel=True)
def adam(param, grad, momentum, velocity, velocity_hat, beta_1, beta_2, step_size, epsilon, amsgrad,
         tiny, flush, scratch):
    real = param.dtype.type
    decay_1, decay_2, rate, eps = real(beta_1), real(beta_2), real(step_size), real(epsilon)
    small, zero = real(tiny), real(0.0)
    for i in prange(param.size):
        g = grad[i]
        m = decay_1 * momentum[i] + g
        m = _flushed(m, small, zero)
        momentum[i] = m
        v = decay_2 * velocity[i] + g * g
        v = _flushed(v, small, zero)
        velocity[i] = v
        if amsgrad:
            # np.maximum: a NaN on either side wins, as in the reference. Measured: 55 us per
            # step over 101,770 float32 values, against 78 us for `if v > largest or v != v`.
            v = np.maximum(velocity_hat[i], v)
            velocity_hat[i] = v
        param[i] -= m / (math.sqrt(v) + eps) * rate


# RMSprop ---------------------------------------------------------------------------------


def rmsprop_numpy(param, grad, velocity, average_gradient, momentum, rho, kept, epsilon, step_size,
                  momentum_rate, centered, tiny, flush, scratch):
    """RMSprop on the stored slots V = v / (1 - rho) and (centered) MG = mg / (1 - rho);
    average_gradient is `unused` unless centered, momentum unless momentum_rate > 0.

    V = rho * V + g^2;  MG = rho * MG + g
    d = V + epsilon  (centered: d = V - kept * MG^2 + epsilon)
    increment = g / sqrt(d) * step_size
    w -= increment   (momentum_rate > 0: b = momentum_rate * b + increment; w -= b)

    where the optimizer passes kept = 1 - rho, epsilon = (Keras' epsilon) / kept and
    step_size = lr / sqrt(kept).
    """
    _accumulate(velocity, rho, np.square(grad, out=scratch))
    if centered:
        _accumulate(average_gradient, rho, grad)
        denominator = np.square(average_gradient, out=scratch)
        denominator *= kept
        np.subtract(velocity, denominator, out=denominator)
        denominator += epsilon
    else:
        denominator = np.add(velocity, epsilon, out=scratch)
    np.sqrt(denominator, out=denominator)
    increment = np.divide(grad, denominator, out=scratch)
    increment *= step_size
    if momentum_rate > 0:
        momentum *= momentum_rate
        momentum += increment
        param -= momentum
    else:
        param -= increment
    if flush:
        used = (velocity, average_gradient if centered else None, momentum if momentum_rate > 0 else None)
        _flush(tiny, scratch, *[slot for slot in used if slot is not None])


@kernel(rmsprop_numpy)
@compiled(parallel=True)
def rmsprop(param, grad, velocity, average_gradient, momentum, rho, kept, epsilon, step_size, momentum_rate,
            centered, tiny, flush, scratch):
    real = param.dtype.type
    decay, share, eps, rate = real(rho), real(kept), real(epsilon), real(step_size)
    coefficient, small, zero = real(momentum_rate), real(tiny), real(0.0)
    with_momentum = momentum_rate > 0
    for i in prange(param.size):
        g = grad[i]
        v = decay * velocity[i] + g * g
        v = _flushed(v, small, zero)
        velocity[i] = v
        if centered:
            mg = decay * average_gradient[i] + g
            mg = _flushed(mg, small, zero)
            average_gradient[i] = mg
            d = v - mg * mg * share + eps
        else:
            d = v + eps
        increment = g / math.sqrt(d) * rate
        if with_momentum:
            b = coefficient * momentum[i] + increment
            b = _flushed(b, small, zero)
            momentum[i] = b
            param[i] -= b
        else:
            param[i] -= increment


# Adagrad ---------------------------------------------------------------------------------


def adagrad_numpy(param, grad, accumulator, learning_rate, epsilon, tiny, flush, scratch):
    """Adagrad: a = a + g^2;  w -= lr * g / sqrt(a + epsilon)."""
    accumulator += np.square(grad, out=scratch)
    param -= learning_rate * grad / np.sqrt(accumulator + epsilon)
    if flush:
        _flush(tiny, scratch, accumulator)


@kernel(adagrad_numpy)
@compiled(parallel=True)
def adagrad(param, grad, accumulator, learning_rate, epsilon, tiny, flush, scratch):
    real = param.dtype.type
    rate, eps, small, zero = real(learning_rate), real(epsilon), real(tiny), real(0.0)
    for i in prange(param.size):
        g = grad[i]
        a = accumulator[i] + g * g
        a = _flushed(a, small, zero)
        accumulator[i] = a
        param[i] -= rate * g / math.sqrt(a + eps)


# Adadelta --------------------------------------------------------------------------------


def adadelta_numpy(param, grad, accumulated_grad, accumulated_delta, rho, kept, epsilon, learning_rate,
                   tiny, flush, scratch):
    """Adadelta, with kept = 1 - rho:

    Eg = rho * Eg + kept * g^2
    dw = -sqrt(Edw + epsilon) / sqrt(Eg + epsilon) * g
    Edw = rho * Edw + kept * dw^2
    w += lr * dw
    """
    accumulated_grad *= rho
    accumulated_grad += kept * np.square(grad)
    delta = -np.sqrt(accumulated_delta + epsilon) / np.sqrt(accumulated_grad + epsilon) * grad
    accumulated_delta *= rho
    accumulated_delta += kept * np.square(delta)
    param += learning_rate * delta
    if flush:
        _flush(tiny, scratch, accumulated_grad, accumulated_delta)


@kernel(adadelta_numpy)
@compiled(parallel=True)
def adadelta(param, grad, accumulated_grad, accumulated_delta, rho, kept, epsilon, learning_rate,
             tiny, flush, scratch):
    real = param.dtype.type
    decay, share, eps, rate = real(rho), real(kept), real(epsilon), real(learning_rate)
    small, zero = real(tiny), real(0.0)
    for i in prange(param.size):
        g = grad[i]
        eg = decay * accumulated_grad[i] + share * (g * g)
        eg = _flushed(eg, small, zero)
        accumulated_grad[i] = eg
        delta = -math.sqrt(accumulated_delta[i] + eps) / math.sqrt(eg + eps) * g
        edw = decay * accumulated_delta[i] + share * (delta * delta)
        edw = _flushed(edw, small, zero)
        accumulated_delta[i] = edw
        param[i] += rate * delta


# Adamax ----------------------------------------------------------------------------------


def adamax_numpy(param, grad, momentum, norm, kept, beta_2, learning_rate, bias_correction, epsilon,
                 tiny, flush, scratch):
    """Adamax, with kept = 1 - beta_1 and bias_correction = 1 - beta_1^t:

    m = m + kept * (g - m);  u = max(beta_2 * u, |g|)
    w -= lr * m / (bias_correction * (u + epsilon))
    """
    momentum += kept * (grad - momentum)
    np.maximum(beta_2 * norm, np.abs(grad), out=norm)
    param -= learning_rate * momentum / (bias_correction * (norm + epsilon))
    if flush:
        _flush(tiny, scratch, momentum, norm)


@kernel(adamax_numpy)
@compiled(parallel=True)
def adamax(param, grad, momentum, norm, kept, beta_2, learning_rate, bias_correction, epsilon,
           tiny, flush, scratch):
    real = param.dtype.type
    share, decay, rate = real(kept), real(beta_2), real(learning_rate)
    correction, eps, small, zero = real(bias_correction), real(epsilon), real(tiny), real(0.0)
    for i in prange(param.size):
        g = grad[i]
        m = momentum[i] + share * (g - momentum[i])
        m = _flushed(m, small, zero)
        momentum[i] = m
        u = np.maximum(decay * norm[i], abs(g))  # a NaN on either side wins, as in the reference
        u = _flushed(u, small, zero)
        norm[i] = u
        param[i] -= rate * m / (correction * (u + eps))


# Nadam -----------------------------------------------------------------------------------


def nadam_numpy(param, grad, momentum, velocity, kept_1, kept_2, momentum_scale, gradient_scale,
                velocity_correction, learning_rate, epsilon, tiny, flush, scratch):
    """Nadam, with kept_1 = 1 - beta_1, kept_2 = 1 - beta_2 and the optimizer's per-step
    momentum_scale = mu_next / (1 - P_next), gradient_scale = (1 - mu_t) / (1 - P_t),
    velocity_correction = 1 - beta_2^t:

    m = m + kept_1 * (g - m);  v = v + kept_2 * (g^2 - v)
    m_hat = momentum_scale * m + gradient_scale * g;  v_hat = v / velocity_correction
    w -= lr * m_hat / (sqrt(v_hat) + epsilon)
    """
    momentum += kept_1 * (grad - momentum)
    velocity += kept_2 * (np.square(grad) - velocity)
    momentum_hat = momentum_scale * momentum + gradient_scale * grad
    velocity_hat = velocity / velocity_correction
    param -= learning_rate * momentum_hat / (np.sqrt(velocity_hat) + epsilon)
    if flush:
        _flush(tiny, scratch, momentum, velocity)


@kernel(nadam_numpy)
@compiled(parallel=True)
def nadam(param, grad, momentum, velocity, kept_1, kept_2, momentum_scale, gradient_scale, velocity_correction,
          learning_rate, epsilon, tiny, flush, scratch):
    real = param.dtype.type
    share_1, share_2 = real(kept_1), real(kept_2)
    scale_m, scale_g, correction = real(momentum_scale), real(gradient_scale), real(velocity_correction)
    rate, eps, small, zero = real(learning_rate), real(epsilon), real(tiny), real(0.0)
    for i in prange(param.size):
        g = grad[i]
        m = momentum[i] + share_1 * (g - momentum[i])
        m = _flushed(m, small, zero)
        momentum[i] = m
        v = velocity[i] + share_2 * (g * g - velocity[i])
        v = _flushed(v, small, zero)
        velocity[i] = v
        m_hat = scale_m * m + scale_g * g
        param[i] -= rate * m_hat / (math.sqrt(v / correction) + eps)


KERNELS = (sgd, adam, rmsprop, adagrad, adadelta, adamax, nadam, weight_decay)

__all__ = ["COMPILED_DTYPES", "KERNELS", "adadelta", "adagrad", "adam", "adamax", "apply", "flush_threshold",
           "nadam", "rmsprop", "sgd", "unused", "weight_decay"]
