"""Input stage: turning what the user gives (templates, values) into SQL text with positions."""
