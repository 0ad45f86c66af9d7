"""Adapters, one package per provider, one class per domain (DESIGN.md section 3)."""
