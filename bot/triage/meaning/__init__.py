"""Assessment by meaning: concerns matched to indicators by a sentence encoder, not only by phrases."""
