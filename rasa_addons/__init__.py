"""Code that Rasa itself loads, inside .venv-rasa: keep it small and on Rasa's own pins.

It may import ``bot.privacy`` (standard library only) but nothing else from the project.
"""
