"""Match what a person types (`/k8sq svc`, `k8sq practice 探针`) to a topic of the bank.

A topic is named by its slug, either title, or any alias, ignoring case, width, spaces and
punctuation (`kube proxy` is `kube-proxy`), and forgiving a small typo in a Latin word (`ingres`).
Pure: no I/O, any string at all is safe to pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.domain.model import Lang, Topic, UnknownTopic
from bot.domain.text import fold

# Longer input is not a topic name; looking at the start is enough to suggest one.
MAX_INPUT = 100
# How much of the input an error message repeats back.
MAX_ECHO = 40
CLOSEST = 3
# A suggestion must be at least this similar (rapidfuzz WRatio, 0-100) to be worth showing.
MIN_SUGGESTION_SCORE = 60.0


def topic_key(text: str) -> str:
    """The form two names of a topic are compared in: `Kube_Proxy` -> `kubeproxy`, 服務 -> 服务.

    The grader's folding (NFKC, case, width, Traditional to Simplified), keeping only letters and
    digits, so spaces and punctuation never matter.
    """
    _original, folded = fold(text[: MAX_INPUT * 4])
    return "".join(ch for ch in folded if ch.isalnum())[:MAX_INPUT]


def topic_keys(name: str) -> tuple[str, ...]:
    """Every key a topic name is matched under (one today; a tuple so that can grow)."""
    return (topic_key(name),)


def topic_names(topic: Topic) -> tuple[str, ...]:
    """The names a topic answers to: slug, titles, aliases."""
    return (topic.slug, topic.title.zh, topic.title.en, *topic.aliases)


def echo(text: str) -> str:
    """A safe, short copy of what the person typed, for an error message."""
    printable = "".join(ch if ch.isprintable() else " " for ch in text[: MAX_ECHO * 2])
    printable = " ".join(printable.split())
    return printable if len(printable) <= MAX_ECHO else printable[: MAX_ECHO - 1] + "…"


def _is_latin(key: str) -> bool:
    return key.isascii()


def _typo_budget(key: str) -> int:
    """How many edits a Latin word may be off by: none when short, where typos collide."""
    if not _is_latin(key) or len(key) < 4:
        return 0
    return 1 if len(key) < 8 else 2


@dataclass(frozen=True)
class TopicIndex:
    """The topics by every key they answer to, built once per bank."""

    topics: tuple[Topic, ...]
    keys: dict[str, Topic]

    @classmethod
    def build(cls, topics: Iterable[Topic]) -> TopicIndex:
        ordered = tuple(topics)
        keys: dict[str, Topic] = {}
        for topic in ordered:
            for name in topic_names(topic):
                for key in topic_keys(name):
                    if key:
                        keys.setdefault(key, topic)
        return cls(ordered, keys)

    def match(self, text: str) -> Topic:
        """The topic `text` names; raise UnknownTopic with the closest ones otherwise."""
        key = topic_key(text) if isinstance(text, str) else ""
        if key:
            found = self._exact(key) or self._plural(key) or self._prefix(key) or self._typo(key)
            if found is not None:
                return found
        raise UnknownTopic(echo(text) if isinstance(text, str) else "", self.closest(key))

    def _exact(self, key: str) -> Topic | None:
        return self.keys.get(key)

    def _plural(self, key: str) -> Topic | None:
        """`pods` for `pod`, `ingresses` for `ingress`, `probe` for `probes`."""
        if not _is_latin(key) or len(key) < 3:
            return None
        forms = [key + "s"]
        if key.endswith("es"):
            forms.append(key[:-2])
        if key.endswith("s"):
            forms.append(key[:-1])
        for form in forms:
            if form in self.keys:
                return self.keys[form]
        return None

    def _prefix(self, key: str) -> Topic | None:
        """`deploy` for `deployments`: only when one topic starts that way."""
        if len(key) < (4 if _is_latin(key) else 2):
            return None
        slugs = {t.slug: t for k, t in self.keys.items() if k.startswith(key)}
        return next(iter(slugs.values())) if len(slugs) == 1 else None

    def _typo(self, key: str) -> Topic | None:
        budget = _typo_budget(key)
        if budget == 0:
            return None
        best: dict[str, int] = {}
        by_slug: dict[str, Topic] = {}
        for candidate, topic in self.keys.items():
            if not _is_latin(candidate) or abs(len(candidate) - len(key)) > budget:
                continue
            if _typo_budget(candidate) == 0:
                continue  # `pod` is not a typo of `pods` plus one; short names match exactly
            distance = OSA.distance(key, candidate, score_cutoff=budget)
            if distance <= budget:
                by_slug[topic.slug] = topic
                best[topic.slug] = min(distance, best.get(topic.slug, distance))
        if not best:
            return None
        nearest = min(best.values())
        winners = [slug for slug, d in best.items() if d == nearest]
        # Two topics one typo away: guessing would be wrong half the time.
        return by_slug[winners[0]] if len(winners) == 1 else None

    def closest(self, key: str, limit: int = CLOSEST) -> tuple[str, ...]:
        """The slugs of the topics most like `key`, best first."""
        if not key:
            return ()
        found = process.extract(key, list(self.keys), scorer=fuzz.WRatio, limit=None)
        slugs: list[str] = []
        for candidate, score, _ in found:
            slug = self.keys[candidate].slug
            if score < MIN_SUGGESTION_SCORE or slug in slugs:
                continue
            slugs.append(slug)
            if len(slugs) == limit:
                break
        return tuple(slugs)


def match_topic(text: str, topics: Sequence[Topic]) -> Topic:
    """The topic `text` names, matched as `/k8sq <topic>` matches it; raise UnknownTopic."""
    return TopicIndex.build(topics).match(text)


def topic_list(topics: Sequence[Topic], lang: Lang = "zh") -> str:
    """Every topic as `slug (title)`, comma-separated, for a reply."""
    return ", ".join(f"{t.slug} ({t.title.get(lang)})" for t in topics)


def describe_unknown_topic(error: UnknownTopic, topics: Sequence[Topic], lang: Lang = "zh") -> str:
    """`no topic 'x' (closest: a, b)`, then every topic there is."""
    heading = "可选主题" if lang == "zh" else "topics"
    return f"{error}\n{heading}: {topic_list(topics, lang) or '-'}"
