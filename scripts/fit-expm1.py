# Fits the polynomial of assembly/math.ts: expm1(r) ≈ r + r²·q(r) on |r| ≤ ln2/2 (+0.01 %), with q
# of degree 4, minimising the largest relative error of expm1 (iteratively reweighted least
# squares, which converges on the minimax fit). Run by hand (python3 with numpy) when the
# polynomial changes; it prints the float32 coefficients and the error they reach.
import numpy as np

A = np.log(2) / 2 * 1.0001
DEG = 4


def fit(deg, iters=30):
    r = np.cos(np.linspace(0, np.pi, 4001)) * A
    r = r[np.abs(r) > 1e-6]
    target = (np.expm1(r) - r) / r**2
    w = np.abs(r**2 / np.expm1(r))  # an error in q, as a relative error of expm1
    weights = np.ones_like(r)
    V = np.vander(r, deg + 1, increasing=True)
    for _ in range(iters):
        W = (w * weights)[:, None]
        c, *_ = np.linalg.lstsq(V * W, target * W[:, 0], rcond=None)
        err = (V @ c - target) * w
        weights *= (np.abs(err) / np.abs(err).max()) ** 0.5 + 1e-3
    return c


c32 = np.array([np.float32(x) for x in fit(DEG)], dtype=np.float64)
rr = np.linspace(-A, A, 400001)
rr = rr[rr != 0]
p = rr + rr**2 * (np.vander(rr, DEG + 1, increasing=True) @ c32)
rel = (np.abs(p - np.expm1(rr)) / np.abs(np.expm1(rr))).max()
for i, c in enumerate(c32):
    print(f"const Q{i}: f32 = {np.float32(c)!r};".replace("np.float32(", "").replace(")", ""))
print(f"largest relative error {rel:.3e} = {rel / 2**-24:.3f} × 2^-24 (before float32 evaluation)")
