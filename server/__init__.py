"""Where the whole web application is assembled: the service, the API and the UI, in one place."""
