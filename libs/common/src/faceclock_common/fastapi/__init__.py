"""The FastAPI edge of faceclock_common (gateway, auth, attendance): the app frame, error
handlers, health routes, request-id middleware, route guards, path/query parameters and the
uvicorn server. The framework-free core they adapt is the rest of faceclock_common; the Flask
edge is faceclock_common.flask."""
