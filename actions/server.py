"""The action server: rasa-sdk's web app, served by Sanic in one process.

rasa-sdk's own runner starts Sanic's worker manager, which wants the "spawn" start method; loading the
embedding model has already fixed "fork" by then, and a spawned worker would load the model again.
One process with one worker (rasa-sdk's default worker count anyway) loads it once.

    python -m actions.server --port 5055
"""

from __future__ import annotations

import argparse
import logging

from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Aftercare assistant action server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    executor = ActionExecutor()
    executor.register_package("actions")
    app = create_app(executor, cors_origins="*")
    app.run(host=args.host, port=args.port, single_process=True, access_log=False, motd=False)


if __name__ == "__main__":
    main()
