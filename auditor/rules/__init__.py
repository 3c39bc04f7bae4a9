"""Checklists as code: rule examples and fixtures as test cases, validation, impact of a change."""
