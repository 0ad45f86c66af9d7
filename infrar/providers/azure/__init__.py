"""The azure provider's adapters."""
