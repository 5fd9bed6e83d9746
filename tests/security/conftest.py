from tests.api.conftest import TOKEN, admin, api_settings, client  # noqa: F401  (shared fixtures)
