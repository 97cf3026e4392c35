"""The clinic front desk console under /desk: answer search, handoff queue, unanswered questions,
draft review and publishing, feedback. `install(app)` adds it to the web app."""

from web.desk.routes import install, router

__all__ = ["install", "router"]
