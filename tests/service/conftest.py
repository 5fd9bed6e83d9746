from tests.api.conftest import TOKEN, admin, api_settings, client, small_index_template  # noqa: F401  (shared fixtures)
