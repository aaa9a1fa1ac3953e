"""The PyTorch side of hpo-torch's `torch_mlp` example: the same MLP job tuned by Optuna 5.0.

Data: sklearn `make_classification` (5000 samples, 20 features of which 15 informative and 5
redundant, 2 classes, random_state 42), an 80/20 split (random_state 42), standardised. A trial
picks 1-4 hidden layers (each 32-256 units, log), dropout (0-0.5), activation (relu, tanh, elu),
optimizer (Adam, SGD with momentum 0-0.99, RMSprop), lr (1e-5..1e-1, log) and batch size
(16-256, step 16), trains 20 epochs and reports test accuracy after each; TPESampler(seed=42),
MedianPruner(n_startup_trials=10, n_warmup_steps=5), maximise, 600 s timeout.

    python bench/optuna/torch_mlp.py [--trials 50] [--device cpu|cuda] [--threads N]

Prints one JSON line: wall seconds, trial counts by state, best accuracy, device, torch threads.
"""

import argparse
import json
import time

import optuna
import torch
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "elu": nn.ELU}
EPOCHS = 20


def load_data(device):
    x, y = make_classification(
        n_samples=5000, n_features=20, n_informative=15, n_redundant=5, n_classes=2, random_state=42
    )
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, random_state=42)
    scaler = StandardScaler()
    x_train, x_test = scaler.fit_transform(x_train), scaler.transform(x_test)
    as_x = lambda a: torch.FloatTensor(a).to(device)  # noqa: E731
    as_y = lambda a: torch.LongTensor(a).to(device)  # noqa: E731
    return as_x(x_train), as_y(y_train), as_x(x_test), as_y(y_test)


def build_model(trial, n_in: int, n_out: int) -> nn.Sequential:
    depth = trial.suggest_int("n_layers", 1, 4)
    widths = [trial.suggest_int(f"hidden_size_l{i}", 32, 256, log=True) for i in range(depth)]
    dropout = trial.suggest_float("dropout", 0.0, 0.5)
    activation = ACTIVATIONS[trial.suggest_categorical("activation", list(ACTIVATIONS))]()
    layers, width_in = [], n_in
    for width in widths:
        layers += [nn.Linear(width_in, width), activation, nn.Dropout(dropout)]
        width_in = width
    return nn.Sequential(*layers, nn.Linear(width_in, n_out))


def build_optimizer(trial, params):
    kind = trial.suggest_categorical("optimizer", ["Adam", "SGD", "RMSprop"])
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    if kind == "SGD":
        return torch.optim.SGD(params, lr=lr, momentum=trial.suggest_float("momentum", 0.0, 0.99))
    return getattr(torch.optim, kind)(params, lr=lr)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=50)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    device = torch.device(args.device)
    x_train, y_train, x_test, y_test = load_data(device)

    def objective(trial) -> float:
        model = build_model(trial, 20, 2).to(device)
        optimizer = build_optimizer(trial, model.parameters())
        batch = trial.suggest_int("batch_size", 16, 256, step=16)
        batches = DataLoader(TensorDataset(x_train, y_train), batch_size=batch, shuffle=True)
        loss_fn = nn.CrossEntropyLoss()
        accuracy = 0.0
        for epoch in range(EPOCHS):
            model.train()
            for bx, by in batches:
                optimizer.zero_grad()
                loss_fn(model(bx), by).backward()
                optimizer.step()
            model.eval()
            with torch.no_grad():
                accuracy = (model(x_test).argmax(1) == y_test).sum().item() / len(y_test)
            trial.report(accuracy, epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return accuracy

    study = optuna.create_study(
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=42),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=10, n_warmup_steps=5),
    )
    start = time.perf_counter()
    study.optimize(objective, n_trials=args.trials, timeout=600)
    wall = time.perf_counter() - start
    states = [t.state for t in study.trials]
    State = optuna.trial.TrialState
    print(
        json.dumps(
            {
                "wall_s": round(wall, 2),
                "trials": len(states),
                "complete": states.count(State.COMPLETE),
                "pruned": states.count(State.PRUNED),
                "best_accuracy": study.best_value,
                "device": str(device),
                "torch_threads": torch.get_num_threads(),
            }
        )
    )


if __name__ == "__main__":
    main()
