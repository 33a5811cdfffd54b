"""The web process: the app wiring, run pages and sign-in, the HTTP API's routes, the App's
set-up pages and the HTTP edge's limits."""
