"""The gcp provider's adapters."""
