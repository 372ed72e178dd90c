"""Documents: grants -> policy and trust documents within IAM's quotas."""
