"""Derivation: statements and settings -> grants and trust links."""
