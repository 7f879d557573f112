"""Digits: read handwritten digits."""
