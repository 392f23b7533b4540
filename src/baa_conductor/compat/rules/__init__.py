"""The rules of the compatibility check, one module per family of keywords."""
