"""covsweep's built-in parameterizations as a batched PyTorch user writes them, for the peers.

Each map takes raw blocks with any leading batch axes ([B, d, d] for score matching, [B, K, d, d]
for the classifier's units; diag's are [..., d] and lowrank's [..., d, 2]) and gives the factor
the task's loss needs with a per-block flag saying whether it is valid, exactly as
src/engine/parameterizations/*.ts define the maps:

  full, full-jitter, full-clip, spd-riemannian   Sigma = P (lower triangle), torch.linalg.cholesky_ex
  tril                  L = tril(P)
  log-cholesky          L = strict tril(P) + diag(exp(diag P))
  softplus-cholesky     L = strict tril(P) + diag(softplus(diag P) + 1e-5)
  precision-cholesky    L = as log-cholesky, the factor of the precision P = Sigma^-1
  diag                  Sigma = diag(exp(v)): the standard deviations exp(v / 2), no matrix
  lowrank               Sigma = W W^T + diag(exp(v)), raw rows (W_i, v_i) (rank 1), cholesky_ex
  matrix-exp            Sigma = torch.matrix_exp(S), S = the lower triangle of P mirrored
  givens                Sigma = U diag(exp(l)) U^T, U = G(0,1) G(0,2) ... G(d-2,d-1), the angle of
                        G(c, r) at P[r, c]: the rotations applied in wavefronts of disjoint column
                        pairs (2d - 3 batched steps, not d(d-1)/2), each a gather and an index_copy
  spherical             L's rows in spherical coordinates: r_i = exp(P_ii), theta_ij = pi sigmoid(P_ij)

and two that change the update, not the map:
  full-jitter       a failed Cholesky retried with 1e-6, 1e-5, 1e-4 added to the diagonal (GPyTorch)
  full-clip         after each step, eigenvalues clipped up to max(lambda_max / 1e5, 1e-6) (mlpack),
                    torch.linalg.eigh only for the blocks a shifted cholesky_ex cannot clear
  spd-riemannian    gradient X sym(G) X, step retracted to (X + Y X^-1 Y) / 2, Y = X + U (geoopt)
"""
import math
import os
import sys

import torch

PARAMETERIZATIONS = (
    "full",
    "full-jitter",
    "tril",
    "log-cholesky",
    "softplus-cholesky",
    "precision-cholesky",
    "diag",
    "lowrank",
    "matrix-exp",
    "spherical",
    "givens",
    "spd-riemannian",
    "full-clip",
)
SOFTPLUS_SHIFT = 1e-5
JITTER = (1e-6, 1e-5, 1e-4)
CLIP_KAPPA_MAX, CLIP_FLOOR = 1e5, 1e-6


def check(parameterization):
    if parameterization not in PARAMETERIZATIONS:
        raise ValueError(f"unknown parameterization {parameterization!r} (one of {', '.join(PARAMETERIZATIONS)})")


def raw_of_scaled_identity(parameterization, c, d, dtype=torch.float32):
    """The raw block of Sigma = c I (covsweep's fromCovariance of it), in float64 then rounded to dtype once."""
    check(parameterization)
    eye = torch.eye(d, dtype=torch.float64)
    if parameterization in ("full", "full-jitter", "full-clip", "spd-riemannian"):
        raw = c * eye
    elif parameterization == "tril":
        raw = math.sqrt(c) * eye
    elif parameterization in ("log-cholesky", "spherical"):
        raw = 0.5 * math.log(c) * eye
    elif parameterization == "precision-cholesky":
        raw = -0.5 * math.log(c) * eye
    elif parameterization == "softplus-cholesky":
        y = math.sqrt(c) - SOFTPLUS_SHIFT
        raw = (y + math.log(-math.expm1(-y))) * eye
    elif parameterization in ("matrix-exp", "givens"):
        raw = math.log(c) * eye
    elif parameterization == "diag":
        raw = torch.full((d,), math.log(c), dtype=torch.float64)
    else:  # lowrank: W = the first column of chol(c I) / sqrt(2), exp(v) the rest of the diagonal
        w = torch.zeros(d, dtype=torch.float64)
        w[0] = math.sqrt(c) / math.sqrt(2)
        raw = torch.stack([w, torch.log(c - w * w)], -1)
    return raw.to(torch.float32).to(dtype)


def _lower(raw, diagonal):
    return torch.tril(raw, -1) + torch.diag_embed(diagonal(torch.diagonal(raw, dim1=-2, dim2=-1)))


def _positive_diagonal(L):
    return (torch.diagonal(L, dim1=-2, dim2=-1) > 0).all(-1)


def _cholesky(sigma):
    L, info = torch.linalg.cholesky_ex(sigma)
    return L, info == 0


def _jittered_cholesky(sigma):
    """cholesky_ex, each failed block retried with JITTER added to its diagonal in turn (only those blocks)."""
    L, info = torch.linalg.cholesky_ex(sigma)
    ok = info == 0
    if bool(ok.all()):
        return L, ok
    eye = torch.eye(sigma.shape[-1], dtype=sigma.dtype)
    for amount in JITTER:
        failing = ~ok
        retry, retry_info = torch.linalg.cholesky_ex(sigma[failing] + amount * eye)
        L = L.index_put((failing,), retry)
        ok = ok.index_put((failing,), retry_info == 0)
        if bool(ok.all()):
            break
    return L, ok


def _symmetric_lower(raw):
    return torch.tril(raw) + torch.tril(raw, -1).transpose(-1, -2)


_WAVES = {}


def givens_waves(d):
    """
    The rotations (c, r) in covsweep's order, grouped into wavefronts: a rotation goes into the
    wave after the last one that touched column c or r, so rotations of one wave share no column
    (they commute) and each column sees its rotations in the original order.
    """
    if d not in _WAVES:
        last = [-1] * d
        waves = []
        for c in range(d):
            for r in range(c + 1, d):
                w = max(last[c], last[r]) + 1
                if w == len(waves):
                    waves.append([])
                waves[w].append((c, r))
                last[c] = last[r] = w
        _WAVES[d] = [
            (torch.tensor([c for c, _ in wave]), torch.tensor([r for _, r in wave])) for wave in waves
        ]
    return _WAVES[d]


def givens_covariance(raw):
    d = raw.shape[-1]
    U = torch.eye(d, dtype=raw.dtype).expand(raw.shape).contiguous()
    for cs, rs in givens_waves(d):
        theta = raw[..., rs, cs][..., None, :]  # [..., 1, m]
        cos, sin = torch.cos(theta), torch.sin(theta)
        uc, ur = U[..., cs], U[..., rs]  # [..., d, m]: columns c and r of U
        # U <- U G(c, r, theta): only columns c and r change.
        U = U.index_copy(-1, torch.cat([cs, rs]), torch.cat([cos * uc + sin * ur, cos * ur - sin * uc], -1))
    ev = torch.exp(torch.diagonal(raw, dim1=-2, dim2=-1))
    return (U * ev[..., None, :]) @ U.transpose(-1, -2)


def spherical_factor(raw):
    d = raw.shape[-1]
    below = torch.tril(torch.ones(d, d, dtype=raw.dtype), -1)
    eye = torch.eye(d, dtype=raw.dtype)
    # theta = pi sigmoid(phi) = pi/2 + u, u = (pi/2) tanh(phi/2): cos theta = -sin u, sin theta = cos u.
    u = (math.pi / 2) * torch.tanh(0.5 * raw * below)
    sines = torch.cos(u) * below + (1 - below)
    cosines = -torch.sin(u) * below + eye
    # prod_{k<j} sin(theta_ik): the cumulative product shifted one column right.
    before = torch.cat([torch.ones_like(sines[..., :1]), torch.cumprod(sines, -1)[..., :-1]], -1)
    r = torch.exp(torch.diagonal(raw, dim1=-2, dim2=-1))[..., None]
    return r * cosines * before


def factor(raw, parameterization):
    """
    The factor of every block and whether it is valid: L of Sigma (of the precision for
    precision-cholesky), or for diag the standard deviations [..., d].
    """
    p = parameterization
    if p in ("full", "full-clip", "spd-riemannian"):
        return _cholesky(raw)
    if p == "full-jitter":
        return _jittered_cholesky(raw)
    if p == "tril":
        L = torch.tril(raw)
        return L, _positive_diagonal(L)
    if p in ("log-cholesky", "precision-cholesky"):
        L = _lower(raw, torch.exp)
        return L, _positive_diagonal(L) & torch.isfinite(L).all(-1).all(-1)
    if p == "softplus-cholesky":
        L = _lower(raw, lambda v: torch.nn.functional.softplus(v) + SOFTPLUS_SHIFT)
        return L, _positive_diagonal(L) & torch.isfinite(L).all(-1).all(-1)
    if p == "diag":
        sd = torch.exp(raw / 2)
        return sd, ((sd > 0) & torch.isfinite(sd)).all(-1)
    if p == "lowrank":
        w = raw[..., :-1]
        return _cholesky(w @ w.transpose(-1, -2) + torch.diag_embed(torch.exp(raw[..., -1])))
    if p == "matrix-exp":
        return _cholesky(torch.matrix_exp(_symmetric_lower(raw)))
    if p == "givens":
        return _cholesky(givens_covariance(raw))
    if p == "spherical":
        L = spherical_factor(raw)
        return L, _positive_diagonal(L) & torch.isfinite(L).all(-1).all(-1)
    check(p)


def identity_like(parameterization, shape, dtype):
    """A valid factor to put in place of a dead block's, so that it cannot poison the batch's gradients."""
    if parameterization == "diag":
        return torch.ones(shape[-1], dtype=dtype)
    d = shape[-2]
    return torch.eye(d, dtype=dtype)


def sym(a):
    return (a + a.transpose(-1, -2)) / 2


def direction(parameterization, raw, grad):
    """What the optimizer is given in place of the gradient (spd-riemannian's X sym(G) X), or grad."""
    if parameterization != "spd-riemannian":
        return grad
    x = _symmetric_lower(raw)
    return sym(x @ sym(grad) @ x)


def retract(parameterization, before, stepped):
    """The raw blocks after the step, from those before it and the optimizer's plain step."""
    if parameterization == "spd-riemannian":
        # (X + Y X^-1 Y) / 2 = (X + W^T W) / 2, W = L^-1 Y, L the factor of X: no inverse formed.
        x = _symmetric_lower(before)
        L, ok = torch.linalg.cholesky_ex(x)
        w = torch.linalg.solve_triangular(L, _symmetric_lower(stepped), upper=False)
        out = sym(x + w.transpose(-1, -2) @ w) / 2
        return torch.where((ok == 0)[..., None, None], out, stepped)
    if parameterization == "full-clip":
        return clip(stepped)
    return stepped


def clip(stepped):
    """mlpack's PositiveDefiniteConstraint on every block; eigh only where a shifted Cholesky cannot show it is a no-op."""
    s = sym(stepped)
    d = s.shape[-1]
    flat = s.reshape(-1, d, d)
    finite = torch.isfinite(flat).all(-1).all(-1)
    frobenius = flat.square().sum((-2, -1)).sqrt()
    rows = flat.abs().sum(-1).max(-1).values
    shift = torch.clamp(torch.minimum(rows, frobenius) / CLIP_KAPPA_MAX, min=CLIP_FLOOR) + 1e-12 * frobenius
    eye = torch.eye(d, dtype=s.dtype)
    _, info = torch.linalg.cholesky_ex(torch.where(finite[:, None, None], flat, eye) - shift[:, None, None] * eye)
    unclear = finite & (info != 0)
    if not bool(unclear.any()):
        return s
    values, vectors = torch.linalg.eigh(flat[unclear])
    bound = torch.clamp(values.max(-1).values / CLIP_KAPPA_MAX, min=CLIP_FLOOR)
    clipped = (vectors * torch.maximum(values, bound[:, None])[..., None, :]) @ vectors.transpose(-1, -2)
    keep = (values >= bound[:, None]).all(-1)
    out = flat.index_put((unclear,), torch.where(keep[:, None, None], flat[unclear], clipped))
    return out.reshape(s.shape)


def peer_arguments():
    """A peer script's command line, B D [STEPS [PARAMETERIZATION]], with torch's threads set from TORCH_THREADS (1)."""
    torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "1")))
    lanes, d = int(sys.argv[1]), int(sys.argv[2])
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    parameterization = sys.argv[4] if len(sys.argv) > 4 else "full"
    try:
        check(parameterization)
    except ValueError as e:
        sys.exit(str(e))
    return lanes, d, steps, parameterization
