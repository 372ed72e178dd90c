"""The SQL stage: the only place that knows SQL syntax."""
