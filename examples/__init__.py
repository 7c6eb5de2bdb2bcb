"""Runnable programs that use the SDK (see examples/README.md); each is run by tests/examples/."""
