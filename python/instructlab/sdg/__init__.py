"""Synthetic data generation: seed rows, documents, built-in pipelines, mixing."""
