"""Batched PyTorch peer for score matching (seed 001's task): B runs trained as one batched computation.

What a careful PyTorch user writes from the seed notebook when they want many runs at once: the
runs stacked along a batch axis (as covsweep's lanes are), each with its own data, the Cholesky
factor L of the covariance from the raw parameter as the parameterization says, the precision
P = Sigma^-1 by torch.cholesky_inverse(L) (the notebook's jnp.linalg.inv(L L^T), without forming
and inverting Sigma), and the notebook's loss per point, 0.5 |P (x - mu)|^2 - tr(P), averaged over
the run's points; autograd, and torch.optim.SGD with covsweep's settings for this task (momentum
0; `covsweep bench` uses lr 1e-6, so lanes stay healthy while they are timed). A run whose factor
fails (cholesky_ex's flag, or a tril diagonal entry <= 0) or whose loss is not finite stops: its
factor is replaced by I so it cannot poison the batch's gradients, and its parameters are frozen.

Parameterizations: every built-in one (torch_maps.py beside this file: covsweep's maps as a batched
torch user writes them, torch.matrix_exp for matrix-exp, wavefronts of Givens rotations for
givens, ...; full-jitter, full-clip and spd-riemannian change the factor or the update as covsweep's do).
Data: per run m ~ U[0,1)^d, T ~ U[0,1)^(d x d), n = max(50, d + 1) draws of N(m, T T^T) (covsweep's
generator, with torch's random numbers). Start: mu = 0, Sigma = I.

Prints lane-steps/s on one torch thread unless TORCH_THREADS says otherwise, as torch_lanes.py does.
Usage: python3 torch_score_matching.py B D [STEPS [PARAMETERIZATION]]
"""
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_maps  # noqa: E402

PARAMETERIZATIONS = torch_maps.PARAMETERIZATIONS


def start(lanes, d, parameterization, dtype=torch.float32):
    """mu = 0 and the raw block of Sigma = I, for every lane."""
    mu = torch.zeros(lanes, d, dtype=dtype)
    raw = torch_maps.raw_of_scaled_identity(parameterization, 1.0, d, dtype)
    return mu, raw.repeat(lanes, *[1] * raw.dim())


def losses(x, mu, L, parameterization):
    """
    Per lane: mean over its points of 0.5 |P (x_i - mu)|^2 - tr(P), P = (L L^T)^-1 from the
    covariance's factor, L L^T itself from the precision's, diag(sd^-2) from diag's deviations.
    """
    if parameterization == "diag":
        p = sd_inv2 = L.pow(-2)  # (B, d): P's diagonal
        score = (x - mu[:, None, :]) * sd_inv2[:, None, :]
        return 0.5 * (score * score).sum(-1).mean(-1) - p.sum(-1)
    if parameterization == "precision-cholesky":
        P = L @ L.transpose(-1, -2)
    else:
        P = torch.cholesky_inverse(L)  # (B, d, d)
    score = (x - mu[:, None, :]) @ P  # (B, n, d): rows (P (x_i - mu))^T, P symmetric
    return 0.5 * (score * score).sum(-1).mean(-1) - torch.diagonal(P, dim1=-2, dim2=-1).sum(-1)


def train(x, mu, raw, parameterization, lr, steps, on_step=None):
    """
    `steps` SGD steps of every lane from (mu, raw) on its points x (B, n, d), lr a number or one per
    lane. on_step(step, loss, mu, raw, alive) sees each step's loss at the parameters before its
    update. Returns which lanes are still alive.
    """
    torch_maps.check(parameterization)
    lanes = mu.shape[0]
    mu = mu.clone().requires_grad_()
    raw = raw.clone().requires_grad_()
    rate = torch.as_tensor(lr, dtype=x.dtype).expand(lanes)
    opt = torch.optim.SGD([mu, raw], lr=1.0, momentum=0.0)
    stand_in = torch_maps.identity_like(parameterization, raw.shape, x.dtype)
    alive = torch.ones(lanes, dtype=torch.bool)
    block = (None,) * (raw.dim() - 1)
    for step in range(steps):
        L, ok = torch_maps.factor(raw, parameterization)
        alive = alive & ok
        L = torch.where(alive[(slice(None),) + (None,) * (L.dim() - 1)], L, stand_in)
        loss = losses(x, mu, L, parameterization)
        alive = alive & torch.isfinite(loss)
        if on_step:
            on_step(step, loss.detach(), mu.detach(), raw.detach(), alive)
        opt.zero_grad(set_to_none=True)
        torch.where(alive, loss, torch.zeros_like(loss)).sum().backward()
        with torch.no_grad():
            raw.grad.copy_(torch_maps.direction(parameterization, raw, raw.grad))
            # Each lane's own learning rate (SGD's lr is 1), and dead lanes frozen.
            scale = torch.where(alive, rate, torch.zeros_like(rate))
            mu.grad.mul_(scale[:, None])
            raw.grad.mul_(scale[(slice(None),) + block])
            before = raw.detach().clone()
        opt.step()
        with torch.no_grad():
            stepped = torch_maps.retract(parameterization, before, raw)
            raw.copy_(torch.where(alive[(slice(None),) + block], stepped, before))
    return alive


def data(lanes, d, generator):
    """Every lane's points: n = max(50, d + 1) draws of N(m, T T^T), m ~ U[0,1)^d, T ~ U[0,1)^(d x d)."""
    n = max(50, d + 1)
    m = torch.rand(lanes, d, generator=generator)
    T = torch.rand(lanes, d, d, generator=generator)
    z = torch.randn(lanes, n, d, generator=generator)
    return m[:, None, :] + z @ T.transpose(-1, -2)


def main():
    lanes, d, steps, parameterization = torch_maps.peer_arguments()
    x = data(lanes, d, torch.Generator().manual_seed(0))
    mu, raw = start(lanes, d, parameterization)
    t0 = time.perf_counter()
    alive = train(x, mu, raw, parameterization, 1e-6, steps)
    dt = time.perf_counter() - t0
    print(f"torch-lanes B={lanes} d={d} lane-steps/s {lanes * steps / dt:.0f} alive {int(alive.sum())}")


if __name__ == "__main__":
    main()
