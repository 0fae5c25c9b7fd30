"""Reading knowledge packs from disk and validating them whole.

A pack is only ever returned complete and consistent: any problem, in any file, raises
:class:`PackError` naming the file, the path inside it and what is wrong.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from bot.knowledge.errors import PackError, PackProblem
from bot.knowledge.schema import (
    AREA_IDS,
    NationalFacts,
    Pack,
    SharedVocabulary,
    Tier,
)

PACK_FILES = ("area", "levels", "indicators", "contacts", "pathway", "guidance", "glossary")
SHARED_FILES = ("signals", "red_flags", "significant_harm", "national")


@dataclass(frozen=True)
class LoadedPack:
    pack: Pack
    content_hash: str
    folder: Path


@dataclass(frozen=True)
class KnowledgeSet:
    """Everything under ``knowledge/``: the area packs and the shared vocabulary."""

    packs: dict[str, LoadedPack]
    vocabulary: SharedVocabulary
    national: NationalFacts
    shared_hash: str
    problems: list[PackProblem] = field(default_factory=list)


# libyaml's loader where it is built (about 15 times faster on the packs), the same safe rules.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path, rel: str) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise PackError([PackProblem(rel, where, f"not valid YAML: {exc}")]) from exc


def _hash(data: Any) -> str:
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def _format_loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _validation_problems(
    exc: ValidationError, file_of: dict[str, str], default_file: str
) -> list[PackProblem]:
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        section = str(loc[0]) if loc else ""
        file = file_of.get(section, default_file)
        inner = loc[1:] if section in file_of else loc
        problems.append(PackProblem(file, _format_loc(inner), err["msg"]))
    return problems


def _validate(model: type[BaseModel], raw: dict[str, Any], file_of: dict[str, str], default: str):
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise PackError(_validation_problems(exc, file_of, default)) from exc


def load_shared(root: Path) -> tuple[SharedVocabulary, NationalFacts, str]:
    """Read ``knowledge/shared/``: signals, red flags and national facts."""
    shared = root / "shared"
    raw: dict[str, Any] = {}
    file_of: dict[str, str] = {}
    missing = []
    extra_signals = _extra_signal_files(shared, root)
    for name in SHARED_FILES:
        path = shared / f"{name}.yml"
        rel = str(path.relative_to(root.parent)) if root.parent in path.parents else str(path)
        if not path.exists():
            missing.append(PackProblem(rel, "", "file is missing"))
            continue
        content = _read_yaml(path, rel) or {}
        if not isinstance(content, dict):
            missing.append(PackProblem(rel, "", "should be a mapping at the top level"))
            continue
        for key in content:
            file_of[key] = rel
        raw[name] = content
    if missing:
        raise PackError(missing)
    signals = dict(raw["signals"].get("signals") or {})
    duplicates = []
    for rel, content in extra_signals:
        for sid, body in (content.get("signals") or {}).items():
            if sid in signals:
                duplicates.append(PackProblem(rel, f"signals.{sid}", "this signal id is already defined in another signals file"))
            signals[sid] = body
    if duplicates:
        raise PackError(duplicates)
    vocab_raw = {**raw["signals"], "signals": signals, **raw["red_flags"], **raw["significant_harm"]}
    vocabulary = _validate(SharedVocabulary, vocab_raw, file_of, "knowledge/shared")
    problems = [
        PackProblem(file_of.get("red_flags", "red_flags.yml"), f"red_flags[{i}].triggers", msg)
        for i, flag in enumerate(vocabulary.red_flags)
        for msg in _unknown_signals(flag.triggers, vocabulary)
    ]
    problems += [
        PackProblem(file_of.get("significant_harm", "significant_harm.yml"), f"significant_harm.categories[{i}]", msg)
        for i, cat in enumerate(vocabulary.significant_harm.categories)
        for msg in _unknown_signals([*cat.triggers, *cat.possible, *cat.serious, [*cat.doubt]], vocabulary)
    ]
    problems += [
        PackProblem(file_of.get("signals", "signals.yml"), f"signals.{sid}.masks", msg)
        for sid, signal in vocabulary.signals.items()
        for msg in _unknown_signals([signal.masks], vocabulary)
    ]
    if problems:
        raise PackError(problems)
    national = _validate(NationalFacts, raw["national"], file_of, "knowledge/shared/national.yml")
    return vocabulary, national, _hash({**raw, "extra_signals": extra_signals})


def _extra_signal_files(shared: Path, root: Path) -> list[tuple[str, dict]]:
    """``signals-<concern>.yml`` files beside ``signals.yml``: the vocabulary split by concern."""
    out = []
    for path in sorted(shared.glob("signals-*.yml")):
        rel = str(path.relative_to(root.parent))
        content = _read_yaml(path, rel) or {}
        if not isinstance(content, dict) or set(content) - {"signals"}:
            raise PackError([PackProblem(rel, "", "a signals file holds only a 'signals' mapping")])
        out.append((rel, content))
    return out


def _unknown_signals(triggers: list[list[str]], vocabulary: SharedVocabulary) -> list[str]:
    return [
        f"unknown signal '{sid}' (not in knowledge/shared/signals.yml)"
        for alt in triggers
        for sid in alt
        if sid not in vocabulary.signals
    ]


def load_pack(folder: Path, vocabulary: SharedVocabulary) -> LoadedPack:
    """Read and validate one area's folder; raise :class:`PackError` on any problem."""
    rel_root = folder.parent.parent.parent
    raw: dict[str, Any] = {}
    file_of: dict[str, str] = {}
    problems: list[PackProblem] = []
    for name in PACK_FILES:
        path = folder / f"{name}.yml"
        rel = str(path.relative_to(rel_root))
        file_of[name] = rel
        if not path.exists():
            problems.append(PackProblem(rel, "", "file is missing"))
            continue
        raw[name] = _read_yaml(path, rel)
    extra = sorted(p.name for p in folder.glob("*.yml") if p.stem not in PACK_FILES)
    problems += [
        PackProblem(str(folder.relative_to(rel_root) / n), "", "unexpected file in a pack")
        for n in extra
    ]
    if problems:
        raise PackError(problems)
    pack = _validate(Pack, raw, file_of, str(folder.relative_to(rel_root)))
    problems = cross_check(pack, vocabulary, file_of)
    if pack.area.id != folder.name:
        problems.append(
            PackProblem(file_of["area"], "id", f"'{pack.area.id}' does not match folder '{folder.name}'")
        )
    if problems:
        raise PackError(problems)
    return LoadedPack(pack=pack, content_hash=_hash(raw), folder=folder)


def cross_check(pack: Pack, vocabulary: SharedVocabulary, file_of: dict[str, str]) -> list[PackProblem]:
    """Consistency a single-field schema cannot see: references between facts."""
    problems: list[PackProblem] = []
    docs = {d.key for d in pack.area.documents}
    levels = {lv.number for lv in pack.levels}
    level_list = ", ".join(str(n) for n in sorted(levels))

    def add(section: str, path: str, msg: str) -> None:
        problems.append(PackProblem(file_of[section], path, msg))

    def check_source(section: str, path: str, source) -> None:
        if source.doc not in docs:
            add(section, f"{path}.source.doc", f"'{source.doc}' is not a document of this area ({', '.join(sorted(docs))})")

    numbers = [lv.number for lv in pack.levels]
    if numbers != list(range(1, len(numbers) + 1)):
        add("levels", "", f"levels should be numbered 1..n in order, found {numbers}")
    for i, lv in enumerate(pack.levels):
        check_source("levels", f"[{i}]", lv.source)
    for i, rule in enumerate(pack.area.accumulation):
        check_source("area", f"accumulation[{i}]", rule.source)
        for attr in ("of_level", "raises_to"):
            if getattr(rule, attr) not in levels:
                add("area", f"accumulation[{i}].{attr}", f"level {getattr(rule, attr)} is not one of this area's levels ({level_list})")

    keys: set[str] = set()
    for i, ind in enumerate(pack.indicators):
        check_source("indicators", f"[{i}]", ind.source)
        if ind.level not in levels:
            add("indicators", f"[{i}].level", f"level {ind.level} is not one of this area's levels ({level_list})")
        key = ind.key or ""
        if key and key in keys:
            add("indicators", f"[{i}].key", f"duplicate key '{key}'")
        keys.add(key)
        for msg in _unknown_signals(ind.triggers, vocabulary):
            add("indicators", f"[{i}].triggers", msg)

    contact_keys = [c.key for c in pack.contacts]
    for i, c in enumerate(pack.contacts):
        check_source("contacts", f"[{i}]", c.source)
        if contact_keys.count(c.key) > 1:
            add("contacts", f"[{i}].key", f"duplicate key '{c.key}'")
        if c.hours.outside is not None and c.hours.outside not in contact_keys:
            add("contacts", f"[{i}].hours.outside", f"'{c.hours.outside}' is not a contact of this area")
        if c.hours.outside == c.key:
            add("contacts", f"[{i}].hours.outside", "a contact cannot be 'outside' its own hours")

    step_keys: set[str] = set()
    for i, step in enumerate(pack.pathway.steps):
        check_source("pathway", f"steps[{i}]", step.source)
        if step.key in step_keys:
            add("pathway", f"steps[{i}].key", f"duplicate key '{step.key}'")
        step_keys.add(step.key)
        for n in step.levels or []:
            if n not in levels:
                add("pathway", f"steps[{i}].levels", f"level {n} is not one of this area's levels ({level_list})")
    if pack.pathway.review_cadence:
        check_source("pathway", "review_cadence", pack.pathway.review_cadence.source)

    g = pack.guidance
    for name, items in (
        ("questions_that_help", g.questions_that_help),
        ("consent", g.consent),
        ("escalation", g.escalation),
        ("principles", g.principles),
    ):
        for i, item in enumerate(items):
            check_source("guidance", f"{name}[{i}]", item.source)
    q_keys = [q.key for q in g.questions_that_help]
    for i, k in enumerate(q_keys):
        if q_keys.count(k) > 1:
            add("guidance", f"questions_that_help[{i}].key", f"duplicate key '{k}'")
    if not any(q.yes_means_at_least == Tier.child_protection for q in g.questions_that_help):
        add("guidance", "questions_that_help",
            "no significant-harm question: one question's yes_means_at_least must be child_protection "
            "(asked first when national guidance sees possible significant harm)")
    for i, term in enumerate(pack.glossary):
        check_source("glossary", f"[{i}]", term.source)
    return problems


def load_knowledge(root: Path) -> KnowledgeSet:
    """Read every pack under ``root``. Raises :class:`PackError` listing every problem."""
    if not root.is_dir():
        raise PackError([PackProblem(str(root), "", "knowledge folder not found")])
    vocabulary, national, shared_hash = load_shared(root)
    packs: dict[str, LoadedPack] = {}
    problems: list[PackProblem] = []
    areas_dir = root / "areas"
    folders = sorted(p for p in areas_dir.iterdir() if p.is_dir()) if areas_dir.is_dir() else []
    for folder in folders:
        try:
            packs[folder.name] = load_pack(folder, vocabulary)
        except PackError as exc:
            problems.extend(exc.problems)
    if problems:
        raise PackError(problems)
    unknown = sorted(set(packs) - set(AREA_IDS))
    if unknown:
        raise PackError([PackProblem(f"knowledge/areas/{u}", "", "not a known area id") for u in unknown])
    return KnowledgeSet(packs=packs, vocabulary=vocabulary, national=national, shared_hash=shared_hash)
