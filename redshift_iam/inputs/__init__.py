"""Inputs: the stage that finds and reads what the user gives (files, templates, source trees)."""
