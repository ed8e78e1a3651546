"""Figures drawn from solved game reports (matplotlib)."""
