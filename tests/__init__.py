"""Tests for the Tesla power management integration."""
