from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Sample articles, references and people for development; production does without it."""

    name = "demo"
    verbose_name = "Demo content"
