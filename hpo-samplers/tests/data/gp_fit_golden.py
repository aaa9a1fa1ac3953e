"""Golden values for hpo-samplers/tests/gp_golden.rs: Optuna 5.0's GP hyperparameter fit
(optuna._gp.gp.fit_kernel_params from all-ones, default prior, minimum noise 1e-6) on the data in
gp_fit_hartmann6_30.json (30 points of a GpSampler run on hartmann6, standardised values).

Run: python gp_fit_golden.py   (needs optuna==5.0.0, torch, scipy); rewrites the "optuna" entry.
"""

import json
import os

import numpy as np
from optuna._gp import gp, prior

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gp_fit_hartmann6_30.json")
data = json.load(open(path))
X, Y = np.array(data["x"]), np.array(data["y"])
r = gp.fit_kernel_params(
    X, Y, np.zeros(X.shape[1], dtype=bool), prior.default_log_prior,
    prior.DEFAULT_MINIMUM_NOISE_VAR, False,
)
data["optuna"] = {
    "inverse_squared_lengthscales": r.inverse_squared_lengthscales.tolist(),
    "kernel_scale": r.kernel_scale.item(),
    "noise_var": r.noise_var.item(),
}
json.dump(data, open(path, "w"))
print(data["optuna"])
