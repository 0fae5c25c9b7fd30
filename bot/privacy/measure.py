"""Measure the redactor against a test set of planted personal data.

    .venv/bin/python -m bot.privacy.measure tests/privacy/planted.yml [-v]

The test set (YAML) has ``messages``, each with its ``text``, the personal data ``planted`` in
it (``kind``, ``value`` exactly as typed, ``form``) and the strings in it to ``keep``, and
``keep_only`` messages with keep strings alone. It prints the planted items caught by kind (and
by form), every miss with the redacted message, the keep strings lost (false redactions), and
the time ``redact`` takes per message.

A service number from the packs is written ``{phone:<area id>/<contact key>}`` and read from
the knowledge packs when the set is loaded, so a corrected pack needs no change here.

A planted item is caught when none of its identifying words or digits is left where it was
typed: each word of the value (bar generic ones such as 'Road', 'Flat', 'of', 'com') must
occur in the redacted message no more often than it occurs elsewhere in the original message,
so a partly redacted item ('Flat 3, [address]' for 'Flat 3, 12 Mill Lane') is a miss. A keep
string is lost unless it comes through unchanged.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.privacy.redact import redact

# Words of a planted value that identify nobody on their own.
GENERIC = frozenset("""
flat the of on at in and to mr mrs ms miss dr dob born 44 co uk com org net sch gov
road rd street st avenue ave lane close drive way crescent court place grove terrace gardens
walk rise hill park view square mews row green vale top
""".split())  # noqa: SIM905 - a word list reads best as text
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@dataclass
class Miss:
    kind: str
    form: str
    value: str
    left: list[str]
    text: str
    redacted: str


@dataclass
class Result:
    caught: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    total: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    form_caught: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    form_total: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    misses: list[Miss] = field(default_factory=list)
    lost: list[tuple[str, str, str]] = field(default_factory=list)  # keep string, text, redacted
    keep_total: int = 0
    messages: int = 0
    seconds_per_message: float = 0.0
    chars_per_message: float = 0.0

    @property
    def planted(self) -> int:
        return sum(self.total.values())

    @property
    def found(self) -> int:
        return sum(self.caught.values())

    @property
    def rate(self) -> float:
        return self.found / self.planted if self.planted else 1.0


def identifying_words(value: str) -> list[str]:
    """The words of a planted value that would identify someone ('Flat 3, 12 Mill Lane' -> 3, 12, Mill)."""
    words = []
    for token in _TOKEN.findall(value):
        token = re.sub(r"['’]s$", "", token)
        if token.lower() not in GENERIC:
            words.append(token)
    return words


def _count(word: str, text: str) -> int:
    return len(re.findall(rf"(?<![\w]){re.escape(word)}(?![\w])", text, re.IGNORECASE))


def words_left(value: str, text: str, redacted: str, planted: list[str]) -> list[str]:
    """The identifying words of ``value`` still in ``redacted`` (beyond their use elsewhere in ``text``)."""
    elsewhere = text
    for other in sorted(planted, key=len, reverse=True):
        elsewhere = elsewhere.replace(other, " ")
    return [w for w in identifying_words(value) if _count(w, redacted) > _count(w, elsewhere)]


_PACK_PHONE = re.compile(r"\{phone:([a-z0-9-]+)/([a-z0-9-]+)\}")


def pack_phones() -> dict[tuple[str, str], str]:
    """(area id, contact key) -> the phone number its pack gives."""
    from bot.config import get_settings
    from bot.knowledge.packs import load_knowledge

    ks = load_knowledge(get_settings().knowledge_dir)
    return {(area, c.key): c.phone for area, loaded in ks.packs.items() for c in loaded.pack.contacts if c.phone}


def _with_pack_phones(text: str, phones: dict[tuple[str, str], str]) -> str:
    def number(m: re.Match[str]) -> str:
        if (m[1], m[2]) not in phones:
            raise ValueError(f"{m[0]}: no such contact with a phone number in the packs")
        return phones[m[1], m[2]]

    return _PACK_PHONE.sub(number, text)


def load(path: Path) -> dict:
    raw = path.read_text(encoding="utf-8")
    if _PACK_PHONE.search(raw):
        raw = _with_pack_phones(raw, pack_phones())
    data = yaml.safe_load(raw)
    for message in data.get("messages", []) + data.get("keep_only", []):
        text = message["text"]
        for item in message.get("planted", []):
            if not isinstance(item["value"], str) or item["value"] not in text:
                raise ValueError(f"planted value {item['value']!r} is not in {text!r} (quote it?)")
        for keep in message.get("keep", []):
            if keep not in text:
                raise ValueError(f"keep string {keep!r} is not in {text!r}")
    return data


def score(path: Path | str, redactor=redact, repeat: int = 20) -> Result:
    data = load(Path(path))
    result = Result()
    messages = data.get("messages", []) + data.get("keep_only", [])
    for message in messages:
        text = message["text"]
        redacted = redactor(text)
        planted = [item["value"] for item in message.get("planted", [])]
        for item in message.get("planted", []):
            kind, form = item["kind"], item.get("form", "")
            result.total[kind] += 1
            result.form_total[form] += 1
            left = words_left(item["value"], text, redacted, planted)
            if left:
                result.misses.append(Miss(kind, form, item["value"], left, text, redacted))
            else:
                result.caught[kind] += 1
                result.form_caught[form] += 1
        for keep in message.get("keep", []):
            result.keep_total += 1
            if keep not in redacted:
                result.lost.append((keep, text, redacted))
    result.messages = len(messages)
    texts = [m["text"] for m in messages]
    start = time.perf_counter()
    for _ in range(repeat):
        for text in texts:
            redactor(text)
    result.seconds_per_message = (time.perf_counter() - start) / (repeat * len(texts))
    result.chars_per_message = sum(map(len, texts)) / len(texts)
    return result


def report(result: Result, verbose: bool = False) -> str:
    lines = [f"planted items caught: {result.found}/{result.planted} ({result.rate:.1%})"]
    for kind in sorted(result.total):
        caught, total = result.caught[kind], result.total[kind]
        lines.append(f"  {kind:<9} {caught:>3}/{total:<3} ({caught / total:.0%})")
    if verbose:
        lines.append("by form:")
        for form in sorted(result.form_total):
            lines.append(f"  {form:<40} {result.form_caught[form]}/{result.form_total[form]}")
    lines.append(f"misses: {len(result.misses)}")
    for miss in result.misses:
        lines.append(f"  [{miss.kind}, {miss.form}] {miss.value!r}: left {', '.join(miss.left)}")
        lines.append(f"      in: {miss.text}")
        lines.append(f"     out: {miss.redacted}")
    lines.append(f"false redactions (keep strings lost): {len(result.lost)}/{result.keep_total}")
    for keep, text, redacted in result.lost:
        lines.append(f"  {keep!r}")
        lines.append(f"      in: {text}")
        lines.append(f"     out: {redacted}")
    lines.append(f"time: {result.seconds_per_message * 1e6:.0f} µs per message "
                 f"({result.messages} messages, {result.chars_per_message:.0f} characters on average)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("testset", type=Path)
    parser.add_argument("-v", "--verbose", action="store_true", help="also the figures by form")
    args = parser.parse_args(argv)
    print(report(score(args.testset), verbose=args.verbose))
    return 0


if __name__ == "__main__":
    sys.exit(main())
