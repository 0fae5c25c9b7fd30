"""Rasa custom actions: thin adapters over ``bot/`` (the conversation issue fills them in)."""
