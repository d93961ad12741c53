"""A test-only app for the worker processes of tests/scaleout/ (`tests.scaleout.settings`):
tasks that record each run, and a schedule every few seconds."""
