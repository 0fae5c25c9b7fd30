"""Loading packs: idempotent, keyed on content hash, atomic per area, loud when broken."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import AreaRow, ContactRow, IndicatorRow
from bot.knowledge import store
from bot.knowledge.errors import PackError
from bot.knowledge.packs import load_knowledge
from bot.knowledge.query import KnowledgeBase
from tests.conftest import KNOWLEDGE_DIR


def _counts(engine) -> dict[str, int]:
    with Session(engine) as s:
        return {
            "areas": s.scalar(select(func.count()).select_from(AreaRow)),
            "indicators": s.scalar(select(func.count()).select_from(IndicatorRow)),
            "contacts": s.scalar(select(func.count()).select_from(ContactRow)),
        }


def _hashes(engine) -> dict[str, str]:
    with Session(engine) as s:
        return dict(s.execute(select(AreaRow.id, AreaRow.content_hash)).all())


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, dest)
    return dest


def test_loading_fills_every_area(empty_db, knowledge):
    outcomes = store.sync(empty_db, knowledge)
    assert {o.name: o.action for o in outcomes if o.name != "shared"} == {a: "added" for a in knowledge.packs}
    assert _counts(empty_db)["areas"] == 5
    assert KnowledgeBase(empty_db).area("worcs").area.name


def test_loading_identical_packs_again_changes_nothing(empty_db, knowledge):
    store.sync(empty_db, knowledge)
    before = (_counts(empty_db), _hashes(empty_db))
    outcomes = store.sync(empty_db, knowledge)
    assert {o.action for o in outcomes} == {"unchanged"}
    assert (_counts(empty_db), _hashes(empty_db)) == before


def test_a_changed_area_alone_is_replaced(empty_db, knowledge_copy):
    store.sync(empty_db, load_knowledge(knowledge_copy))
    path = knowledge_copy / "areas" / "tameside" / "levels.yml"
    levels = yaml.safe_load(path.read_text())
    levels[0]["meaning"] += " (edited)"
    path.write_text(yaml.safe_dump(levels, sort_keys=False))
    outcomes = {o.name: o.action for o in store.sync(empty_db, load_knowledge(knowledge_copy))}
    assert outcomes["tameside"] == "replaced"
    assert [a for a, act in outcomes.items() if act != "unchanged"] == ["tameside"]
    assert KnowledgeBase(empty_db).area("tameside").levels[0].meaning.endswith("(edited)")


def test_an_area_is_replaced_in_one_transaction(empty_db, knowledge, knowledge_copy, monkeypatch):
    """If building the new rows fails half way, the old area is still there, whole."""
    store.sync(empty_db, knowledge)
    before = _counts(empty_db)
    path = knowledge_copy / "areas" / "worcestershire" / "levels.yml"
    levels = yaml.safe_load(path.read_text())
    levels[0]["name"] += " (v2)"
    path.write_text(yaml.safe_dump(levels, sort_keys=False))
    changed = load_knowledge(knowledge_copy)

    real_area_row = store.area_row

    def failing_area_row(loaded, now):
        row = real_area_row(loaded, now)
        row.contacts.append(ContactRow(key=row.contacts[0].key, position=99, role="advice", urgent=False, data={}))
        return row  # duplicate contact key: the insert violates a unique constraint

    monkeypatch.setattr(store, "area_row", failing_area_row)
    with pytest.raises(IntegrityError):
        store.sync(empty_db, changed)
    assert _counts(empty_db) == before
    assert not KnowledgeBase(empty_db).area("worcestershire").levels[0].name.endswith("(v2)")


def test_a_broken_pack_is_rejected_with_its_path_and_the_database_is_unchanged(empty_db, knowledge, knowledge_copy):
    store.sync(empty_db, knowledge)
    before = (_counts(empty_db), _hashes(empty_db))
    path = knowledge_copy / "areas" / "worcestershire" / "indicators.yml"
    indicators = yaml.safe_load(path.read_text())
    indicators[3]["level"] = 7
    path.write_text(yaml.safe_dump(indicators, sort_keys=False))
    with pytest.raises(PackError) as err:
        store.sync(empty_db, load_knowledge(knowledge_copy))
    message = str(err.value)
    assert "knowledge/areas/worcestershire/indicators.yml" in message
    assert "[3].level" in message and "level 7" in message
    assert (_counts(empty_db), _hashes(empty_db)) == before


@pytest.mark.parametrize(
    "file, mutate, expected",
    [
        ("contacts.yml", lambda d: d[0].pop("source"), "[0].source"),
        ("contacts.yml", lambda d: d[0].update(phone=None, phone_note=None), "phone_note"),
        ("levels.yml", lambda d: d[0].update(colour="red"), "[0].colour"),
        ("indicators.yml", lambda d: d[0]["source"].update(doc="no-such-doc"), "no-such-doc"),
        ("contacts.yml", lambda d: d[0]["hours"].update(weekly={"monday": ["09:00-17:00"]}), "monday"),
    ],
)
def test_malformed_packs_fail_loudly_naming_file_and_path(knowledge_copy, file, mutate, expected):
    path = knowledge_copy / "areas" / "tameside" / file
    data = yaml.safe_load(path.read_text())
    mutate(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(PackError) as err:
        load_knowledge(knowledge_copy)
    assert f"knowledge/areas/tameside/{file}" in str(err.value)
    assert expected in str(err.value)


def test_invalid_yaml_names_the_line(knowledge_copy):
    path = knowledge_copy / "areas" / "cambridgeshire" / "glossary.yml"
    path.write_text(path.read_text() + "\n  - : : [unclosed\n")
    with pytest.raises(PackError) as err:
        load_knowledge(knowledge_copy)
    assert "glossary.yml" in str(err.value) and "line" in str(err.value)


def test_a_trigger_naming_an_unknown_signal_is_rejected(knowledge_copy):
    path = knowledge_copy / "areas" / "tameside" / "indicators.yml"
    data = yaml.safe_load(path.read_text())
    data[0]["triggers"] = [["no_such_signal"]]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(PackError) as err:
        load_knowledge(knowledge_copy)
    assert "no_such_signal" in str(err.value) and "[0].triggers" in str(err.value)


def test_a_signal_masking_an_unknown_signal_is_rejected(knowledge_copy):
    path = knowledge_copy / "shared" / "signals.yml"
    path.write_text(path.read_text().replace("masks: [cse_risk,", "masks: [no_such_signal, cse_risk,"))
    with pytest.raises(PackError) as err:
        load_knowledge(knowledge_copy)
    assert "no_such_signal" in str(err.value) and "good_hygiene.masks" in str(err.value)


def test_the_migration_matches_the_models(empty_db):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from bot.db.models import Base

    with empty_db.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_a_change_to_a_split_signals_file_reloads_the_shared_vocabulary(empty_db, knowledge_copy):
    """Regression: the shared hash once ignored signals-*.yml, leaving a stale vocabulary."""
    store.sync(empty_db, load_knowledge(knowledge_copy))
    extra = knowledge_copy / "shared" / "signals-test.yml"
    extra.write_text("signals:\n  zz_test_signal:\n    description: test\n    phrases: [\"zz test phrase\"]\n")
    outcomes = {o.name: o.action for o in store.sync(empty_db, load_knowledge(knowledge_copy))}
    assert outcomes["shared"] == "replaced"
    assert "zz_test_signal" in KnowledgeBase(empty_db).vocabulary().signals
