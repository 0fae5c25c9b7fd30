"""Rasa input channels of our own: Teams (botframework) and Slack, with the fixes they need."""
