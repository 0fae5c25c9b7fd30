#!/usr/bin/env bash
# `rasa data validate`, failing on any warning except one deliberate kind: responses that
# a form or an action sends (utter_ask_*, utter_default, utter_ask_rephrase; utter_action_failed, utter_emergency and utter_help,
# sent by rasa_addons.safeguards when an action fails), which Rasa
# reports as "not used in any story or rule" because it only looks for them in stories; and
# the retrieval intent 'faq', which Rasa itself adds to the domain from the NLU data, so
# listing it (the rules need it) is reported as a duplicate across domain files.
set -uo pipefail
cd "$(dirname "$0")/.."
SENT_BY_FORMS_AND_ACTIONS='utter_ask_[a-z_]+|utter_default|utter_ask_rephrase|utter_ask_concern|utter_action_failed|utter_emergency|utter_help'
out=$(PYTHONWARNINGS=default .venv-rasa/bin/rasa data validate --domain domain 2>&1)
status=$?
problems=$(grep -E "UserWarning|ERROR" <<<"$out" \
  | grep -vE "The utterance '($SENT_BY_FORMS_AND_ACTIONS)' is not used in any story or rule" \
  | grep -v "TF_DETERMINISTIC_OPS" \
  | grep -vE "duplicated intents have been found across multiple domain files: faq$" || true)
if [ $status -ne 0 ] || [ -n "$problems" ]; then
  echo "rasa data validate found problems:" >&2
  echo "${problems:-$out}" >&2
  exit 1
fi
echo "rasa data validate: clean (responses sent by forms and actions allowed unused in stories)"
