"""The HTTP service: FastAPI routes for citizens, officers and administrators."""
