from tests.trust.redis_server import redis_server  # noqa: F401  (a fixture for this folder)
