# Sourced by train.sh, nlu_eval.sh and nlu_cv.sh: files besides config and data that shape a
# trained model (our pipeline components and Rasa's pinned environment), so each cache key
# changes when they do. A new component module of ours belongs here.
MODEL_CODE="rasa_addons/nlu.py rasa_addons/static_embeddings.py requirements/rasa.lock.txt"
# Rasa's own training cache is off: models are cached whole by these scripts' hashes, and with
# the cache off Rasa also skips fingerprinting every node's output (rasa_addons/speedups/training.py),
# which was a third of a clean training. RASA_MAX_CACHE_SIZE=1000 (MB) turns it back on.
export RASA_MAX_CACHE_SIZE=${RASA_MAX_CACHE_SIZE:-0}
