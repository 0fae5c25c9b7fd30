"""Code that Rasa itself loads, inside .venv-rasa: keep it small and on Rasa's own pins.

It may import ``bot.privacy`` (standard library only) but nothing else from the project.
Importing any add-on applies :mod:`rasa_addons.speedups` and :mod:`rasa_addons.safeguards`, and
redacts every log record of the process (:mod:`bot.privacy.log_redaction`): endpoints.yml
always names our tracker store, so Rasa always imports this package before the first turn. Outside Rasa's environment, for
example in the channel tests' own environment, there is nothing to patch.
"""

try:
    import rasa  # noqa: F401
except ImportError:  # imported from the app's environment, where Rasa is not installed
    pass
else:
    from bot.privacy import log_redaction
    from rasa_addons import safeguards, speedups

    log_redaction.install()
    speedups.apply()
    safeguards.apply()
