"""Red-flag triage: runs before retrieval on every message. An emergency is never answered with a
casual stored answer. Rules follow the red-flag table in the domain brief (shared/domain), one rule per
red-flag concept, written in the words patients use rather than the words of the table.

Where each part is:
- `rules.py`: the rules as data: regex fragments, `Rule` records, `RULES`, the treatments after which a
  symptom is expected (`EXPECTED_FOR`), and `CONCEPTS`, the rule behind each semantic exemplar concept;
- `negation.py`: how a message is read: `normalise`, `clauses`, `negated_clause`, `Negations` (not named
  clauses.py: a submodule of that name would be hidden by the `clauses` function callers use);
- `engine.py`: `assess`, `most_urgent`, `is_urgent`, `Alert`, `SecondOpinion`, the fever and
  lingering-symptom checks;
- elsewhere: the similarity layer in bot/semantic_triage.py; the messages built around an alert's reason
  in bot/alerts.py.

How a rule matches:
- every alternative is anchored at word boundaries, so "hayfever" never matches "fever";
- a symptom named after a negation in the same clause does not count ("no trouble breathing, just a bruise"),
  but a clause of its own does ("no, i can't breathe");
- words skipped between a body site and its symptom may not be a negation ("throat isn't tight").

Standard library only: the Rasa process (Python 3.10) imports this through bot/alerts.py.
"""

from bot.triage.engine import Alert, SecondOpinion, assess, is_urgent, most_urgent, reason_for
from bot.triage.negation import Negations, clauses, negated_clause
from bot.triage.rules import CONCEPTS, EXPECTED_FOR, RULES, Rule, Urgency

__all__ = [
    "CONCEPTS", "EXPECTED_FOR", "RULES", "Alert", "Negations", "Rule", "SecondOpinion", "Urgency", "assess",
    "clauses", "is_urgent", "most_urgent", "negated_clause", "reason_for",
]  # fmt: skip
