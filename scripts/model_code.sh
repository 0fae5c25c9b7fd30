# Sourced by train.sh, nlu_eval.sh and nlu_cv.sh: files besides config and data that shape a
# trained model (our pipeline components and Rasa's pinned environment), so each cache key
# changes when they do. A new component module of ours belongs here.
MODEL_CODE="rasa_addons/nlu.py rasa_addons/static_embeddings.py requirements/rasa.lock.txt"
