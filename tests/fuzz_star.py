"""A module for the scoping fuzz's ``from tests.fuzz_star import *``: it rebinds ``P``."""

P = "star"
