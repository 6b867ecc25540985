"""The ``ilab`` command: parses, calls :mod:`instructlab.core`, prints. No logic lives here."""
