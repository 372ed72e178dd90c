"""Values shared by every stage: placeholders, sentinels (frozen; no stage logic here)."""
