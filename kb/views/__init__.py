"""Public views, one module per page family. Thin: they call selectors and render."""
