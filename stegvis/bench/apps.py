from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The data generator and the benchmark (management commands only: no models, no URLs)."""

    name = "stegvis.bench"
    label = "bench"
    verbose_name = "Benchmark"
