"""Rasa builds a loaded DIET model's weights with one eager training step instead of a traced one.

To load a model, Rasa 3.6 (`RasaModel.load`) runs one training step on one example so that every weight
exists with its shape, then overwrites the weights from the saved checkpoint. It runs that step as a
TensorFlow graph, and tracing that training graph (the entity CRF loss above all) was 30 of the 39 s
Rasa took to load this project's model (py-spy; issue 13). One eager step creates the same variables
without tracing; the checkpoint then sets them exactly as before, and prediction is still traced once, at
load, as Rasa does. tests/test_model_load.py checks, in Rasa's environment, that every loaded weight is the
saved one; by hand, the parses of 120 held-out messages were identical to Rasa's own load, to 5 decimals.

Measured on this machine: the model loads in 8.6 s, not 38.9 s, and `scripts/stack.py` is up in 25 s, not 57 s.
Replicas restart and become ready sooner (issue 12's recovery times); the test suite starts seven Rasa servers.
"""

from __future__ import annotations

from typing import Any

RASA_VERSION = "3.6.21"  # the body below is Rasa 3.6.21's `RasaModel.load` with one change; other versions keep theirs


def install() -> None:
    """Make this Rasa process build loaded models' weights eagerly (idempotent; only on Rasa 3.6.21)."""
    import rasa
    from rasa.utils.tensorflow.models import RasaModel

    if rasa.__version__ != RASA_VERSION or getattr(RasaModel.load, "eager_build", False):
        return

    def load(
        cls: Any,
        model_file_name: str,
        model_data_example: Any,
        predict_data_example: Any = None,
        finetune_mode: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        import tensorflow as tf
        from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY
        from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator

        config = kwargs.get("config", {})
        model = cls(*args, **kwargs)
        model.compile(optimizer=tf.keras.optimizers.Adam(config.get(LEARNING_RATE, 0.001)), run_eagerly=True)
        model.fit(RasaBatchDataGenerator(model_data_example, batch_size=1), verbose=False)
        # compile() set the model to eager for prediction too; back to what its configuration says.
        model.run_eagerly = config.get(RUN_EAGERLY)
        model.load_weights(model_file_name)
        if not finetune_mode and predict_data_example:
            model.run_inference(predict_data_example)  # traces prediction now, not on the first message
        return model

    load.eager_build = True  # type: ignore[attr-defined]
    RasaModel.load = classmethod(load)  # type: ignore[method-assign, assignment]
