"""The aws provider's adapters."""
