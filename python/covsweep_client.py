"""Reference client of covsweep's command-task protocol (README, "Command tasks").

A training script run by covsweep as `task: {command: [python3, train.py], ...}` does:

    import covsweep_client as cs

    run = cs.Run()                       # the resolved run config, from covsweep
    lr = run.config["lr"]["cov"]
    for step in range(run.steps):
        loss = ...                       # one training step
        if not run.progress(step, loss): # non-finite or past the divergence bound
            break                        # (run.finish(...) has been written)
    else:
        run.ok(step, metrics={"error": 0.1})

Standard library only. covsweep puts this file's folder on the child's PYTHONPATH.
"""

import json
import math
import os
import sys


def read_config():
    """The run config: COVSWEEP_CONFIG when set, else the JSON line covsweep writes on stdin."""
    text = os.environ.get("COVSWEEP_CONFIG")
    if text is None:
        text = sys.stdin.readline()
    return json.loads(text)


class Run:
    """One run: its config, and the JSON lines that report it on stdout."""

    def __init__(self, config=None):
        self.config = read_config() if config is None else config
        self.id = os.environ.get("COVSWEEP_RUN_ID", "")
        task = self.config["task"]
        self.task = task
        self.steps = int(task.get("steps", 100))
        self.bound = float(self.config["thresholds"]["divergence_bound"])
        self.finished = False
        self._last_loss = None

    def _write(self, message):
        sys.stdout.write(json.dumps(message, allow_nan=False) + "\n")
        sys.stdout.flush()

    def progress(self, step, loss):
        """Report `loss` at `step`. A NaN, infinite or out-of-bounds loss ends the run as
        diverged (written here); returns False then, True while the run goes on."""
        loss = float(loss)
        if not math.isfinite(loss) or abs(loss) > self.bound:
            self.diverged(step, f"loss {loss} at step {step} is not finite or exceeds {self.bound:g}")
            return False
        self._last_loss = loss
        self._write({"step": int(step), "loss": loss})
        return True

    def finish(self, outcome, step, reason=None, metrics=None):
        """The final line: outcome "ok", "singular", "diverged" or "error". Write it once."""
        if self.finished:
            raise RuntimeError("the run's final line is already written")
        self.finished = True
        message = {"outcome": outcome, "step": int(step)}
        if reason is not None:
            message["reason"] = str(reason)
        clean = {k: float(v) for k, v in (metrics or {}).items() if math.isfinite(float(v))}
        message["metrics"] = clean
        if self._last_loss is not None:
            message["loss"] = self._last_loss
        self._write(message)

    def ok(self, step, metrics=None):
        self.finish("ok", step, metrics=metrics)

    def singular(self, step, reason, metrics=None):
        """The covariance (or whatever must stay positive definite) left the valid set."""
        self.finish("singular", step, reason, metrics)

    def diverged(self, step, reason, metrics=None):
        self.finish("diverged", step, reason, metrics)

    def error(self, step, reason, metrics=None):
        self.finish("error", step, reason, metrics)
