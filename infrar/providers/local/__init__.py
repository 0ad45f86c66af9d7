"""The local provider's adapters."""
