# Generated from src/baa_conductor/schemas by `nox -s codegen`. Do not edit.
