"""Readers, mapping and validation of incoming data (pure Python: no Django)."""
