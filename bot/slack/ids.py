"""The ids Slack sends back when someone clicks a button or submits a modal.

The channel post (round_blocks) and the listeners (listeners) must agree on them, so they
live here and nowhere else. Slack echoes `action_id` and `callback_id` verbatim; a button's
`value` carries what the listener needs (a round id), never a person's data.
"""

from __future__ import annotations

from typing import Final

# The slash command registered in the Slack app's manifest.
SLASH_COMMAND: Final = "/k8sq"

# ----- buttons (block_actions) -----

# "Answer" on the day's question post; value: the round id (str). After the close the same
# button opens a practice modal for that round's question.
ANSWER_ACTION_ID: Final = "k8sq.answer"
# "中文 / English" on the question post: shows the prompt in the other language, privately;
# value: the round id (str).
OTHER_LANGUAGE_ACTION_ID: Final = "k8sq.other_language"
# "Post again" in the admins' alert about a round whose post may or may not have reached
# Slack; value: the round id (str).
POST_AGAIN_ACTION_ID: Final = "k8sq.post_again"
# "Answer" on a practice question shown by `/k8sq <topic>`; value: the question id.
PRACTICE_ANSWER_ACTION_ID: Final = "k8sq.practice_answer"

# ----- modals (view_submission) -----

# The answer modal for a round; private_metadata: the round id.
ANSWER_MODAL_CALLBACK_ID: Final = "k8sq.answer_modal"
# The answer modal for a practice question; private_metadata: the question id.
PRACTICE_MODAL_CALLBACK_ID: Final = "k8sq.practice_modal"
# The graded-feedback modal the answer modal turns into (no submit button).
FEEDBACK_MODAL_CALLBACK_ID: Final = "k8sq.feedback_modal"

# The answer input inside both answer modals: state.values[ANSWER_BLOCK_ID][ANSWER_INPUT_ID].
ANSWER_BLOCK_ID: Final = "answer"
ANSWER_INPUT_ID: Final = "answer_text"

# ----- running the game: /k8sq subcommands, the weekly post, App Home, disputes -----

# "Practise <topic>" under the weekly leaderboard's weakest topic; value: the topic slug.
PRACTICE_TOPIC_ACTION_ID: Final = "k8sq.practice_topic"
# "Dispute" in the graded feedback of a scored answer; value: the round id (str).
DISPUTE_ACTION_ID: Final = "k8sq.dispute"
# "Set points" in the admins' message about a dispute; value: the dispute id (str).
SETTLE_ACTION_ID: Final = "k8sq.settle"
# The dispute modal (an optional comment); private_metadata: {"round": id, "lang": ...}.
DISPUTE_MODAL_CALLBACK_ID: Final = "k8sq.dispute_modal"
# The admins' modal setting a disputed answer's points; private_metadata: {"dispute": id}.
SETTLE_MODAL_CALLBACK_ID: Final = "k8sq.settle_modal"
# `/k8sq config`: the workspace's settings.
SETTINGS_MODAL_CALLBACK_ID: Final = "k8sq.settings_modal"
