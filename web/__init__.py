"""The web app on port 8000: a page to chat with the bot (the widget and staff console come later)."""
