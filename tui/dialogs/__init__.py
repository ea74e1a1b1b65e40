"""Counter dialogs."""
