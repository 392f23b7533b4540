"""baa-conductor: the worker runner's contracts as JSON Schemas, their models, and the runner."""
