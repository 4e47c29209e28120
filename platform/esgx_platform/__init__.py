"""esgx platform: the domain core (models, services, computations) and its web face."""

__version__ = "0.1.0"
