"""The "use a simpler word" list the desk checks section bodies against (``kb.readability``).

Words and phrases that have a plainer everyday equivalent, drawn from plain-English style
guides for health information. Keys are lower case; a phrase matches as whole words. A
deployment can replace the list with the ``KB_SIMPLER_WORDS`` setting.
"""

from __future__ import annotations

SIMPLER_WORDS: dict[str, str] = {
    "utilise": "use",
    "utilize": "use",
    "utilisation": "use",
    "commence": "start",
    "terminate": "end",
    "approximately": "about",
    "sufficient": "enough",
    "assistance": "help",
    "facilitate": "help",
    "additional": "more",
    "subsequently": "later",
    "prior to": "before",
    "in order to": "to",
    "in the event of": "if",
    "endeavour": "try",
    "obtain": "get",
    "demonstrate": "show",
    "indicate": "show",
    "individuals": "people",
    "purchase": "buy",
    "require": "need",
    "numerous": "many",
    "discontinue": "stop",
    "ascertain": "find out",
    "consequently": "so",
    "modification": "change",
    "adverse": "harmful",
    "ameliorate": "improve",
    "aetiology": "cause",
    "etiology": "cause",
    "haemorrhage": "bleeding",
    "pyrexia": "fever",
    "analgesia": "painkillers",
    "dyspnoea": "breathlessness",
    "oedema": "swelling",
}
