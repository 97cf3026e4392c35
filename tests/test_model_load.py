"""channels/model_load.py: in Rasa's environment, the trained model loaded through this project's
connectors (eager weight building) holds exactly the weights Rasa saved, as Rasa's own load gives them."""

from __future__ import annotations

import os
import subprocess

import pytest

from stack import MODEL, ROOT, VENV_RASA

pytestmark = pytest.mark.slow

CHECK = """
import asyncio, hashlib, sys, tarfile, tempfile
from collections import Counter
from pathlib import Path

import numpy as np
import tensorflow as tf
from rasa.core.agent import load_agent
from rasa.utils.tensorflow.models import RasaModel
from sanic import Blueprint

from channels.bounded import limit_request_size

limit_request_size(Blueprint("probe"))  # what each of the project's connectors does when Rasa makes it
assert getattr(RasaModel.load, "eager_build", False), "the eager weight building is not installed"
agent = asyncio.run(load_agent(model_path=sys.argv[1]))


def digest(array):
    return hashlib.sha256(np.asarray(array, dtype=np.float32).tobytes()).hexdigest() + str(array.shape)


models = 0
with tempfile.TemporaryDirectory() as folder:
    with tarfile.open(sys.argv[1]) as archive:
        archive.extractall(folder)
    for name, node in agent.processor.graph_runner._instantiated_nodes.items():
        model = getattr(node._component, "model", None)
        if not isinstance(model, RasaModel):
            continue
        models += 1
        index = next(Path(folder).glob(f"**/train_{name.removeprefix('run_')}/*.tf_model.index"))
        reader = tf.train.load_checkpoint(str(index)[: -len(".index")])
        saved = Counter()
        for variable in reader.get_variable_to_shape_map():
            if not variable.endswith("/.ATTRIBUTES/VARIABLE_VALUE") or ".OPTIMIZER_SLOT" in variable:
                continue
            saved[digest(reader.get_tensor(variable))] += 1
            if "/kernel_mask/" in variable:  # a randomly connected layer serves its kernel masked
                kernel = reader.get_tensor(variable.replace("/kernel_mask/", "/kernel/"))
                saved[digest(kernel * reader.get_tensor(variable))] += 1
        loaded = Counter(digest(weight.numpy()) for weight in model.weights)
        assert len(model.weights) > 50, (name, len(model.weights))
        assert not loaded - saved, f"{name}: {sum((loaded - saved).values())} weights are not the saved ones"
assert models >= 1, "no TensorFlow model in the loaded graph"
print("checked", models)
"""


def test_the_eagerly_built_model_holds_exactly_the_saved_weights():
    if not MODEL.exists():
        pytest.fail(f"no trained Rasa model at {MODEL}: run `make train` (make test does it first)")
    done = subprocess.run(
        [str(VENV_RASA / "python"), "-c", CHECK, str(MODEL)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false"},
    )
    assert done.returncode == 0 and "checked" in done.stdout, done.stderr[-3000:]
