"""Aftercare assistant core library: corpus, index, retrieval, triage and reply composition.

No Rasa imports here: the Rasa actions in `actions/` are thin adapters over this package.
"""

__version__ = "0.1.0"
