"""TensorFlow's random numbers: the Philox4x32-10 generator and the distributions built on it.

TensorFlow's stateful random kernels (CPU) draw from Philox4x32-10, a counter-based generator:
one call maps a 128-bit counter ``(c0, c1, c2, c3)`` and a 64-bit key ``(k0, k1)`` to four
uint32 by ten rounds of

    (c0, c1, c2, c3) <- (hi(M1 c2) ^ c1 ^ k0,  lo(M1 c2),  hi(M0 c0) ^ c3 ^ k1,  lo(M0 c0))

with the key growing by (W0, W1) after each round. Calls never depend on each other, so a
whole tensor's counters are one numpy array. An op with seeds ``(seed, seed2)`` starts at
key = seed (low, high 32 bits), counter = (0, 0, seed2 low, seed2 high); ``(0, 0)`` means two
fresh random 64-bit seeds. Each run reserves 256 calls per output element (as TensorFlow's
``GuardedPhiloxRandom`` does), so a seeded op's next run continues the stream.

The functions below turn the calls' bits into numbers exactly as TensorFlow's kernels do
(``random_distributions.h``): uniform floats from 23 (float32), 52 (float64) or 10 (float16)
random mantissa bits, Box-Muller pairs for normals, rejection beyond 2 for truncated normals.

>>> s = Stream(87654321, 1)  # tf.random_uniform([4], seed=1) without a graph seed
>>> print(uniform(s, 4, np.float32))
[0.2390374  0.92039955 0.05051243 0.49574447]
"""

from __future__ import annotations

import ctypes
import ctypes.util
import secrets
from typing import Any

import numpy as np

_M32 = 0xFFFFFFFF
_M64 = 2**64 - 1
_MUL = np.array([[0xD2511F53], [0xCD9E8D57]], dtype=np.uint64)  # M0, M1
_WEYL = (0x9E3779B9, 0xBB67AE85)  # W0, W1
_CHUNK = 16384  # calls per pass: the round's arrays stay in the CPU cache
# calls each output element reserves per run (TensorFlow's kReservedSamplesPerOutput)
RESERVED_PER_OUTPUT = 256


def _round_keys(key: tuple[int, int]) -> list[np.ndarray]:
    k0, k1 = key
    keys = []
    for _ in range(10):
        keys.append(np.array([[k0], [k1]], dtype=np.uint64))
        k0, k1 = (k0 + _WEYL[0]) & _M32, (k1 + _WEYL[1]) & _M32
    return keys


def bits(key: tuple[int, int], base: int, offsets: np.ndarray) -> np.ndarray:
    """Philox4x32-10 at counters ``base + offsets`` (mod 2^128): one row of 4 uint32 per call.

    >>> [hex(w) for w in bits((0, 0), 0, np.zeros(1, np.uint64))[0]]  # Random123's test vector
    ['0x6627e8d5', '0xe169c58d', '0xbc57ac4c', '0x9b00dbd8']
    """
    offsets = np.asarray(offsets, dtype=np.uint64).reshape(-1)
    n = offsets.size
    out = np.empty((n, 4), dtype=np.uint32)
    lo_base, hi_base = np.uint64(base & _M64), (base >> 64) & _M64
    keys = _round_keys(key)
    shift, low = np.uint64(32), np.uint64(_M32)
    for start in range(0, n, _CHUNK):
        stop = min(n, start + _CHUNK)
        lo = offsets[start:stop] + lo_base  # wraps; a wrap carries into the high 64 bits
        hi = (lo < lo_base).astype(np.uint64)
        hi += np.uint64(hi_base)
        # a = (c0, c2) are multiplied, b = (c1, c3) are xored in
        a = np.empty((2, stop - start), dtype=np.uint64)
        b = np.empty_like(a)
        np.bitwise_and(lo, low, out=a[0])
        np.bitwise_and(hi, low, out=a[1])
        np.right_shift(lo, shift, out=b[0])
        np.right_shift(hi, shift, out=b[1])
        prod = np.empty_like(a)
        swapped = prod[::-1]  # the new c0 takes M1 c2's high half, the new c2 M0 c0's
        for k in keys:
            np.multiply(a, _MUL, out=prod)
            np.right_shift(swapped, shift, out=a)
            a ^= b
            a ^= k
            np.bitwise_and(swapped, low, out=b)
        rows = out[start:stop]
        rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3] = a[0], b[0], a[1], b[1]
    return out


class Stream:
    """One random op's generator in one session (TensorFlow's ``GuardedPhiloxRandom``).

    >>> s = Stream(1, 2)
    >>> s.reserve(10), s.reserve(10) - 2**65
    (36893488147419103232, 10)
    """

    __slots__ = ("key", "counter")

    def __init__(self, seed: int, seed2: int) -> None:
        if seed == 0 and seed2 == 0:  # unseeded: new numbers in every session
            seed, seed2 = secrets.randbits(64), secrets.randbits(64)
        seed, seed2 = seed & _M64, seed2 & _M64
        self.key = (seed & _M32, seed >> 32)
        self.counter = seed2 << 64

    def reserve(self, calls: int) -> int:
        """The counter to draw from now; the next draw starts ``calls`` calls later."""
        base = self.counter
        self.counter = (base + calls) & (2**128 - 1)
        return base

    def calls(self, base: int, n: int) -> np.ndarray:
        """``n`` consecutive calls from counter ``base``: an (n, 4) uint32 array."""
        return bits(self.key, base, np.arange(n, dtype=np.uint64))


# -- bits to numbers (TensorFlow's Uint32ToFloat, Uint64ToDouble, Uint16ToHalf, Box-Muller) -----


def to_float32(x: np.ndarray) -> np.ndarray:
    """[0, 1) from 23 random mantissa bits: bits(0x3f800000 | x & 0x7fffff) - 1."""
    m = np.bitwise_and(x, np.uint32(0x7FFFFF))
    m |= np.uint32(0x3F800000)
    f = m.view(np.float32)
    f -= np.float32(1.0)
    return f


def to_float64(x0: np.ndarray, x1: np.ndarray) -> np.ndarray:
    """[0, 1) from 52 random mantissa bits: 20 from ``x0``, 32 from ``x1``."""
    m = np.bitwise_and(x0, np.uint32(0xFFFFF)).astype(np.uint64)
    m <<= np.uint64(32)
    m |= x1
    m |= np.uint64(1023 << 52)
    d = m.view(np.float64)
    d -= 1.0
    return d


def to_float16(x: np.ndarray) -> np.ndarray:
    """[0, 1) from the 10 low bits of ``x``."""
    m = (np.bitwise_and(x, np.uint32(0x3FF)) | np.uint32(15 << 10)).astype(np.uint16)
    return m.view(np.float16) - np.float16(1.0)


# Normal draws of up to this many values use the platform C library's float logf, sinf, cosf
# (what TensorFlow's kernel calls): TensorFlow's values bit for bit, at some cost per value.
# Larger draws use numpy's float32 functions: a few ulp off at most, and fast.
EXACT_OUTPUTS = 1 << 13


def _c_float_functions() -> dict[str, Any]:
    try:
        libm = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
        found = {name: getattr(libm, name) for name in ("logf", "sinf", "cosf")}
    except (OSError, AttributeError):
        return {}
    for f in found.values():
        f.restype, f.argtypes = ctypes.c_float, [ctypes.c_float]
    return found


_C_FLOAT = _c_float_functions()


def _as_c_float(f64: Any, name: str, x: np.ndarray, margin: float) -> np.ndarray:
    """The C library's float ``name(x)``: ``f64(x)`` rounded to float32, except where that
    lies within ``margin`` ulp of a rounding midpoint, where the C library may round the other
    way (its float functions are not exactly rounded): those values are asked of it, one call
    each (what limits this to small draws)."""
    y = f64(x.astype(np.float64))
    out = y.astype(np.float32)
    fn = _C_FLOAT.get(name)
    if fn is None:
        return out
    nxt = np.nextafter(out, np.where(y > out, np.float32(np.inf), np.float32(-np.inf)))
    ulp = np.abs(nxt.astype(np.float64) - out)
    near = np.abs(y - (nxt.astype(np.float64) + out) / 2) < margin * ulp
    idx = np.flatnonzero(near)
    out[idx] = [fn(v) for v in x[idx].tolist()]
    return out


def box_muller32(
    x0: np.ndarray, x1: np.ndarray, exact: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Two N(0, 1) float32 arrays: sqrt(-2 log u1) * (sin v, cos v), v = 2 pi u2, in float32.

    ``exact``: the C library's logf, sinf, cosf (TensorFlow's values bit for bit);
    otherwise numpy's float32 functions.
    """
    u1 = np.maximum(to_float32(x0), np.float32(1e-7))
    # 2.0f * M_PI is a double: the angle is rounded to float32 once, after the product
    v = (to_float32(x1).astype(np.float64) * (2 * np.pi)).astype(np.float32)
    if exact:
        # margins: how far from a midpoint the C library's logf / sinf, cosf were seen to
        # round the other way (0.28, 0.06 ulp), with room to spare
        log = _as_c_float(np.log, "logf", u1, 0.35)
        f0, f1 = _as_c_float(np.sin, "sinf", v, 0.1), _as_c_float(np.cos, "cosf", v, 0.1)
    else:
        log, f0, f1 = np.log(u1), np.sin(v), np.cos(v)
    log *= np.float32(-2.0)
    r = np.sqrt(log, out=log)
    f0 *= r
    f1 *= r
    return f0, f1


def box_muller64(
    x0: np.ndarray, x1: np.ndarray, x2: np.ndarray, x3: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Two N(0, 1) float64 arrays from four uint32 arrays (two 52-bit uniforms)."""
    u1 = np.maximum(to_float64(x0, x1), 1e-7)
    v = to_float64(x2, x3) * (2 * np.pi)
    r = np.sqrt(-2.0 * np.log(u1))
    return np.sin(v) * r, np.cos(v) * r


# -- the kernels' distributions ---------------------------------------------------------------


def _fill(stream: Stream, n: int, per_call: int) -> np.ndarray:
    """The (ceil(n / per_call), 4) calls of a fixed-size draw of ``n`` outputs."""
    base = stream.reserve(RESERVED_PER_OUTPUT * n)
    return stream.calls(base, -(-n // per_call))


def uniform(stream: Stream, n: int, dtype: Any) -> np.ndarray:
    """``n`` samples of U[0, 1) (``RandomUniform``): 4 per call, 2 for float64."""
    dt = np.dtype(dtype)
    if dt == np.float64:
        c = _fill(stream, n, 2)
        return np.stack([to_float64(c[:, 0], c[:, 1]), to_float64(c[:, 2], c[:, 3])], 1).ravel()[:n]
    c = _fill(stream, n, 4).ravel()[:n]
    return to_float16(c) if dt == np.float16 else to_float32(c)


def uniform_int(stream: Stream, n: int, lo: int, hi: int, dtype: Any) -> np.ndarray:
    """``n`` integers in [lo, hi) (``RandomUniformInt``): lo + bits % (hi - lo).

    int32 takes one uint32 per output (4 per call); int64 two (low word first, 2 per call).
    """
    dt = np.dtype(dtype)
    span = np.uint64((hi - lo) & _M64)
    if dt == np.int64:
        c = _fill(stream, n, 2).astype(np.uint64)
        words = c[:, 0::2] | (c[:, 1::2] << np.uint64(32))
        r = words.ravel()[:n] % span
    else:
        r = _fill(stream, n, 4).ravel()[:n].astype(np.uint64) % span
    return (r + np.uint64(lo & _M64)).view(np.int64).astype(dt)


def normal(stream: Stream, n: int, dtype: Any) -> np.ndarray:
    """``n`` samples of N(0, 1) (``RandomStandardNormal``): Box-Muller on each call's pairs.

    Float32 and float16 draws beyond ``EXACT_OUTPUTS`` values may differ from TensorFlow's
    in the last bit or two (see :func:`box_muller32`)."""
    dt = np.dtype(dtype)
    if dt == np.float64:
        c = _fill(stream, n, 2)
        d0, d1 = box_muller64(c[:, 0], c[:, 1], c[:, 2], c[:, 3])
        return np.stack([d0, d1], 1).ravel()[:n]
    c = _fill(stream, n, 4)
    f0, f1 = box_muller32(c[:, 0::2].ravel(), c[:, 1::2].ravel(), n <= EXACT_OUTPUTS)
    out = np.stack([f0, f1], 1).ravel()[:n]
    return out.astype(np.float16) if dt == np.float16 else out


def truncated_normal(stream: Stream, n: int, dtype: Any) -> np.ndarray:
    """``n`` samples of N(0, 1) with |x| < 2 (``TruncatedNormal``).

    Outputs come in groups (4 for float32/float16, 2 for float64); group g reads its own
    stretch of the stream, starting 256 * (group size) / 4 calls after group g - 1, and keeps
    the Box-Muller values below 2 in magnitude, in order, until the group is full.
    """
    dt = np.dtype(dtype)
    size = 2 if dt == np.float64 else 4
    groups = -(-n // size)
    exact = n <= EXACT_OUTPUTS
    base = stream.reserve(RESERVED_PER_OUTPUT * n)
    start = np.arange(groups, dtype=np.uint64) * np.uint64(RESERVED_PER_OUTPUT * size // 4)
    out = np.empty((groups, size), dtype=np.float64 if dt == np.float64 else np.float32)
    count = np.zeros(groups, dtype=np.int64)
    pending = np.arange(groups)
    step = 0
    while pending.size:
        c = bits(stream.key, base, start[pending] + np.uint64(step))
        if dt == np.float64:
            cand = np.stack(box_muller64(c[:, 0], c[:, 1], c[:, 2], c[:, 3]), 1)
        else:
            f0, f1 = box_muller32(c[:, 0::2].ravel(), c[:, 1::2].ravel(), exact)
            cand = np.stack([f0, f1], 1).reshape(-1, 4)
        keep = np.abs(cand) < 2
        if step == 0:  # most groups fill from their first call: no bookkeeping for those
            full = keep.all(axis=1)
            out[full] = cand[full]
            count[full] = size
            pending, cand, keep = pending[~full], cand[~full], keep[~full]
        slot = count[pending, None] + np.cumsum(keep, axis=1) - 1
        keep &= slot < size
        rows = np.broadcast_to(pending[:, None], keep.shape)
        out[rows[keep], slot[keep]] = cand[keep]
        count[pending] = np.minimum(count[pending] + keep.sum(axis=1), size)
        pending = pending[count[pending] < size]
        step += 1
    flat = out.ravel()[:n]
    return flat.astype(np.float16) if dt == np.float16 else flat


def words(stream: Stream, n: int) -> np.ndarray:
    """``n`` uint32 read one at a time from the stream, reserving only the calls they use
    (``ReserveSamples32``: random_shuffle's draw)."""
    calls = -(-n // 4)
    return stream.calls(stream.reserve(calls), calls).ravel()[:n]


def permutation(stream: Stream, n: int) -> np.ndarray:
    """The order ``RandomShuffle`` puts ``n`` rows in: swap(i, i + u_i % (n - i)), i < n - 1."""
    perm = list(range(n))
    if n <= 1:
        return np.array(perm, dtype=np.int64)
    u = words(stream, n - 1)
    targets = (np.arange(n - 1) + u % np.arange(n, 1, -1, dtype=np.uint32)).tolist()
    for i, j in enumerate(targets):
        perm[i], perm[j] = perm[j], perm[i]
    return np.array(perm, dtype=np.int64)


def doubles(stream: Stream, n: int, reserve: int) -> np.ndarray:
    """``n`` uniform doubles from consecutive uint32 pairs, after reserving ``reserve`` calls
    (``SimplePhilox::RandDouble``, as ``Multinomial`` draws)."""
    base = stream.reserve(reserve)
    w = stream.calls(base, -(-2 * n // 4)).ravel()[: 2 * n]
    return to_float64(w[0::2], w[1::2])


def gamma(stream: Stream, samples: int, alpha: np.ndarray) -> np.ndarray:
    """``samples`` draws of Gamma(alpha, 1) for each alpha: a (samples, alpha.size) float64
    array (``RandomGamma``).

    Output i (alpha i // samples, sample i % samples) reads its own stretch of the stream, 256
    calls after output i - 1's. alpha == 1: -log1p(-u). Otherwise Marsaglia and Tsang's
    method: d = alpha - 1/3 (+1 when alpha < 1), c = 1 / 3 / sqrt(d); draw x normal until
    v = (1 + c x)^3 > 0, then u uniform; accept d v when u < 1 - 0.0331 x^4 or
    log u < x^2 / 2 + d (1 - v + log v), times b^(1 / alpha) (b uniform) when alpha < 1.
    Normals and uniforms come two per call (a Box-Muller pair, two 52-bit uniforms) and are
    used last one first.
    """
    alphas = np.asarray(alpha, dtype=np.float64).reshape(-1)
    n = samples * alphas.size
    base = stream.reserve(RESERVED_PER_OUTPUT * n)
    a = np.repeat(alphas, samples)  # output i's alpha
    start = np.arange(n, dtype=np.uint64) * np.uint64(RESERVED_PER_OUTPUT)
    out = np.empty(n)
    calls = np.zeros(n, dtype=np.uint64)  # calls each output has made
    bufs = {"normal": np.zeros((n, 2)), "uniform": np.zeros((n, 2))}
    left = {"normal": np.zeros(n, dtype=np.int64), "uniform": np.zeros(n, dtype=np.int64)}

    def take(kind: str, idx: np.ndarray) -> np.ndarray:
        """The next normal or uniform of outputs ``idx`` (a new call when their pair is used)."""
        empty = idx[left[kind][idx] == 0]
        if empty.size:
            c = bits(stream.key, base, start[empty] + calls[empty])
            calls[empty] += np.uint64(1)
            if kind == "normal":
                pair = box_muller64(c[:, 0], c[:, 1], c[:, 2], c[:, 3])
            else:
                pair = (to_float64(c[:, 0], c[:, 1]), to_float64(c[:, 2], c[:, 3]))
            bufs[kind][empty] = np.stack(pair, axis=1)
            left[kind][empty] = 2
        left[kind][idx] -= 1
        return bufs[kind][idx, left[kind][idx]]  # type: ignore[no-any-return]

    one = np.flatnonzero(a == 1.0)
    if one.size:
        out[one] = -np.log1p(-take("uniform", one))
    small = a < 1
    d = a + np.where(small, 2.0 / 3, -1.0 / 3)
    c = 1.0 / 3 / np.sqrt(d)
    pending = np.flatnonzero(a != 1.0)
    while pending.size:
        x = take("normal", pending)
        v = 1 + c[pending] * x
        ok = ~(v <= 0)  # as TensorFlow: a NaN (from a bad alpha) goes on, to a NaN sample
        idx, x, v = pending[ok], x[ok], v[ok] * v[ok] * v[ok]
        u = take("uniform", idx)
        dv = d[idx]
        with np.errstate(divide="ignore", invalid="ignore"):
            accept = (u < 1 - 0.0331 * (x * x) * (x * x)) | (
                np.log(u) < 0.5 * x * x + dv * (1 - v + np.log(v))
            )
        done = idx[accept]
        res = dv[accept] * v[accept]
        tiny = done[small[done]]
        if tiny.size:
            res[small[done]] *= take("uniform", tiny) ** (1 / a[tiny])
        out[done] = res
        finished = np.zeros(n, dtype=bool)
        finished[done] = True
        pending = pending[~finished[pending]]
    return out.reshape(alphas.size, samples).T
