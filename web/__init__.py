"""The web app on port 8000: the demo clinic page with the chat widget (/widget.js), the REST relay (/api/chat) and the front desk console (/desk)."""
