"""Data integrity: document ids that cannot collide, one document per content, a catalog no upload can break.

Each test reproduces a finding of the adversarial pass (issue 17, items 1 and 2).
"""

from __future__ import annotations

import os
import time
import tomllib

import pytest
from conftest import small_corpus

import corpus
import index
from corpus import CorpusError
from corpus.catalog import CatalogError, append_entry, read_catalog
from corpus.intake import add_file

PROTOCOL = "# Protokoll maj\n\nNämnden beslutar att införa {what} på alla skolor från hösten.\n"


def test_same_stem_with_another_extension_is_a_second_document(tmp_path):
    settings = small_corpus(tmp_path)
    index.build(settings, progress=False)
    for suffix, what in ((".txt", "läxhjälp"), (".md", "frukostklubbar")):
        source = tmp_path / f"protokoll-maj{suffix}"
        source.write_text(PROTOCOL.format(what=what), encoding="utf-8")
        add_file(source, settings.corpus_dir, settings.catalog_file)
        report = index.build(settings, progress=False)
        assert not report.errors
    ix = index.open(settings)
    assert {"protokoll-maj.txt", "protokoll-maj.md"} <= set(ix.documents)
    assert ix.search("frukostklubbar", k=1).hits[0].chunk.doc_id == "protokoll-maj.md"
    assert ix.search("läxhjälp", k=1).hits[0].chunk.doc_id == "protokoll-maj.txt"
    assert index.build(settings, rebuild=True, progress=False).documents == 4


def test_upload_named_like_a_shipped_document_keeps_both(tmp_settings, tmp_path):
    source = tmp_path / "alingsas-bun-2025-uppfoljning-inriktning-april.md"
    source.write_text("# Simhall\n\nNämnden vill utreda en ny simhall vid Nolhaga.\n", encoding="utf-8")
    doc = add_file(source, tmp_settings.corpus_dir, tmp_settings.catalog_file)
    assert doc.doc_id == "alingsas-bun-2025-uppfoljning-inriktning-april.md"
    docs = {d.doc_id for d in corpus.load(tmp_settings.corpus_dir, tmp_settings.catalog_file)}
    assert {"alingsas-bun-2025-uppfoljning-inriktning-april.txt", doc.doc_id} <= docs


def test_duplicate_content_is_refused_naming_the_existing_document(tmp_settings, tmp_path):
    copy = tmp_path / "kopia.txt"
    original = tmp_settings.corpus_dir / "svenljunga-bun-plan-systematiskt-kvalitetsarbete-2026.txt"
    copy.write_bytes(original.read_bytes())
    before = sorted(p.name for p in tmp_settings.corpus_dir.iterdir())
    with pytest.raises(CorpusError) as caught:
        add_file(copy, tmp_settings.corpus_dir, tmp_settings.catalog_file, {"title": "Kopia"})
    assert "finns redan" in caught.value.reason
    assert "svenljunga-bun-plan-systematiskt-kvalitetsarbete-2026.txt" in caught.value.reason
    assert sorted(p.name for p in tmp_settings.corpus_dir.iterdir()) == before
    assert "kopia.txt" not in read_catalog(tmp_settings.catalog_file)


def test_build_skips_a_byte_identical_copy_and_indexes_the_rest(tmp_path):
    settings = small_corpus(tmp_path)
    copy = settings.corpus_dir / "simskola-kopia.md"  # sorts before the original by name, but is newer
    copy.write_bytes((settings.corpus_dir / "simskola.md").read_bytes())
    os.utime(copy, (time.time() + 5, time.time() + 5))
    report = index.build(settings, progress=False)
    assert report.documents == 2 and any("simskola-kopia.md" in e and "samma innehåll" in e for e in report.errors)
    assert set(index.open(settings).documents) == {
        "simskola.md",
        "alingsas-bun-huvudmannens-verksamhetsuppfoljning-2022-2023.txt",
    }


@pytest.mark.parametrize("bad", ["\x01", "\x00", "\x1b[31m", "\u202e", "rad ett\nrad två", 'citat " och \\ snedstreck'])
def test_control_characters_in_metadata_never_corrupt_the_catalog(tmp_settings, tmp_path, bad):
    source = tmp_path / "ny.md"
    source.write_text("# Ny\n\nLäxhjälp införs på alla skolor.\n", encoding="utf-8")
    add_file(source, tmp_settings.corpus_dir, tmp_settings.catalog_file, {"title": f"Titel {bad} slut", "kommun": bad})
    text = tmp_settings.catalog_file.read_text(encoding="utf-8")
    tomllib.loads(text)  # still valid TOML
    entry = read_catalog(tmp_settings.catalog_file)["ny.md"]
    assert entry["title"].startswith("Titel") and entry["title"].endswith("slut")
    assert not any(ord(c) < 32 or c == "\u202e" for c in entry["title"] + entry["kommun"])
    # The next upload and a whole load still work.
    second = tmp_path / "andra.md"
    second.write_text("# Andra\n\nFrukost serveras från klockan sju.\n", encoding="utf-8")
    add_file(second, tmp_settings.corpus_dir, tmp_settings.catalog_file, {"title": "Andra"})
    assert {"ny.md", "andra.md"} <= {d.doc_id for d in corpus.load(tmp_settings.corpus_dir, tmp_settings.catalog_file)}


def test_damaged_catalog_is_a_swedish_error_with_its_line_and_the_old_index_serves(tmp_path):
    settings = small_corpus(tmp_path)
    index.build(settings, progress=False)
    settings.catalog_file.write_text('[[document]]\nfile = "a.md"\ntitle = "trasig\x01"\n', encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        read_catalog(settings.catalog_file)
    assert "rad 3" in caught.value.reason and "skadad" in caught.value.reason
    with pytest.raises(index.BuildError) as build_error:
        index.build(settings, progress=False)
    assert "rad 3" in str(build_error.value) and "tidigare indexet är oförändrat" in str(build_error.value)
    assert index.open(settings).search("simma", k=1).hits[0].chunk.doc_id == "simskola.md"


def test_upload_against_a_damaged_catalog_writes_nothing(tmp_settings, tmp_path):
    tmp_settings.catalog_file.write_text("[[document]\n", encoding="utf-8")
    source = tmp_path / "ny.md"
    source.write_text("# Ny\n\nLäxhjälp.\n", encoding="utf-8")
    before = sorted(p.name for p in tmp_settings.corpus_dir.iterdir())
    with pytest.raises(CorpusError) as caught:
        add_file(source, tmp_settings.corpus_dir, tmp_settings.catalog_file, {"title": "Ny"})
    assert "katalogen" in caught.value.reason
    assert sorted(p.name for p in tmp_settings.corpus_dir.iterdir()) == before


def test_unwritable_catalog_leaves_no_file_behind(tmp_settings, tmp_path, monkeypatch):
    source = tmp_path / "ny.md"
    source.write_text("# Ny\n\nLäxhjälp.\n", encoding="utf-8")
    before = sorted(p.name for p in tmp_settings.corpus_dir.iterdir())

    def read_only(path, text):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("corpus.intake.write_atomically", read_only)  # as a read-only catalog does, even for root
    with pytest.raises(OSError):
        add_file(source, tmp_settings.corpus_dir, tmp_settings.catalog_file, {"title": "Ny"})
    assert sorted(p.name for p in tmp_settings.corpus_dir.iterdir()) == before


def test_failed_rename_restores_the_catalog(tmp_settings, tmp_path, monkeypatch):
    source = tmp_path / "ny.md"
    source.write_text("# Ny\n\nLäxhjälp.\n", encoding="utf-8")
    catalog_before = tmp_settings.catalog_file.read_text(encoding="utf-8")
    real_replace = os.replace

    def failing_replace(src, dst):
        if str(dst).endswith("ny.md"):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError):
        add_file(source, tmp_settings.corpus_dir, tmp_settings.catalog_file, {"title": "Ny"})
    assert tmp_settings.catalog_file.read_text(encoding="utf-8") == catalog_before
    assert not (tmp_settings.corpus_dir / "ny.md").exists()
    assert not any(p.name.endswith(".part") for p in tmp_settings.corpus_dir.iterdir())


def test_append_entry_replaces_an_existing_entry(tmp_path):
    catalog = tmp_path / "catalog.toml"
    append_entry(catalog, "a.md", {"title": "Första"})
    append_entry(catalog, "a.md", {"title": "Andra", "kommun": "Borås"})
    assert read_catalog(catalog) == {
        "a.md": {
            "title": "Andra",
            "kommun": "Borås",
            "namnd": "okänd",
            "typ": "okänd",
            "datum": "okänd",
            "diarienummer": "okänd",
        }
    }


def _hold_build_lock(settings):
    """Hold the build lock in another thread until the returned event is set; returns (event, thread)."""
    import threading

    from index.builder import build_lock

    holding, release = threading.Event(), threading.Event()

    def hold():
        with build_lock(settings):
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    holding.wait(5)
    return release, thread


def test_a_build_waits_for_the_running_one_and_then_includes_what_arrived(tmp_path):
    import threading

    settings = small_corpus(tmp_path)
    index.build(settings, progress=False)
    release, first = _hold_build_lock(settings)  # stands in for a CLI build that started before the upload
    (settings.corpus_dir / "uppladdad.md").write_text("# Uppladdad\n\nFrukostklubb startar i maj.\n", encoding="utf-8")
    reports = []
    second = threading.Thread(target=lambda: reports.append(index.build(settings, progress=False)))
    second.start()
    time.sleep(0.5)
    assert not reports  # still waiting for the lock
    release.set()
    first.join(5)
    second.join(60)
    assert reports and "uppladdad.md" in reports[0].added
    assert "uppladdad.md" in index.open(settings).documents


def test_a_build_lock_held_too_long_is_a_swedish_error(tmp_path):

    from index.builder import build_lock

    settings = small_corpus(tmp_path)
    release, t = _hold_build_lock(settings)
    try:
        with pytest.raises(index.BuildError, match="Ett annat bygge"), build_lock(settings, timeout_s=0.3):
            pass
    finally:
        release.set()
        t.join(5)


def test_a_document_saved_but_never_indexed_is_indexed_at_start(tmp_path):
    settings = small_corpus(tmp_path)
    index.build(settings, progress=False)
    # As after kill -9 between saving an upload and indexing it.
    (settings.corpus_dir / "sparad.md").write_text("# Sparad\n\nSommarskola erbjuds i juni.\n", encoding="utf-8")
    (settings.corpus_dir / "trasig.pdf").write_bytes(b"%PDF-1.4 inte en riktig pdf")
    ix = index.ensure(settings, progress=False)
    assert "sparad.md" in ix.documents and "trasig.pdf" in ix.manifest["skipped"]
    assert index.waiting_documents(settings, ix) == []


def test_pypdf_warnings_which_quote_file_bytes_stay_out_of_the_logs(caplog):
    import logging

    import corpus.readers  # noqa: F401 - quiets pypdf on import

    with caplog.at_level(logging.DEBUG):
        # How pypdf reports a damaged file: through its module logger, quoting the bytes it found.
        logging.getLogger("pypdf._reader").warning("invalid pdf header: b'%%PDF zebrafink'")
    assert "zebrafink" not in caplog.text


def test_a_file_that_reads_too_long_is_refused_and_nothing_is_written(tmp_settings, tmp_path, monkeypatch):
    from corpus.budget import ReadBudget

    def endless(*args, **kwargs):  # a reader caught in a pathological file
        time.sleep(60)

    monkeypatch.setattr("corpus.budget.read_document", endless)
    source = tmp_path / "seg.md"
    source.write_text("# Seg\n\nText.\n", encoding="utf-8")
    before = sorted(p.name for p in tmp_settings.corpus_dir.iterdir())
    started = time.perf_counter()
    with pytest.raises(CorpusError, match="för lång tid"):
        add_file(source, tmp_settings.corpus_dir, tmp_settings.catalog_file, budget=ReadBudget(seconds=1.0))
    assert time.perf_counter() - started < 5
    assert sorted(p.name for p in tmp_settings.corpus_dir.iterdir()) == before


def test_a_file_that_needs_too_much_memory_is_refused(tmp_settings, tmp_path, monkeypatch):
    from corpus.budget import ReadBudget

    def greedy(*args, **kwargs):  # as a decompression bomb would
        return bytearray(3 * 1024**3)

    monkeypatch.setattr("corpus.budget.read_document", greedy)
    source = tmp_path / "bomb.md"
    source.write_text("# Bomb\n\nText.\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="för mycket minne"):
        add_file(source, tmp_settings.corpus_dir, tmp_settings.catalog_file, budget=ReadBudget(memory_mb=256))


def test_a_good_file_reads_the_same_within_the_budget(tmp_settings, tmp_path):
    from corpus.budget import ReadBudget

    source = tmp_path / "bra.md"
    source.write_text("# Bra\n\nLäxhjälp erbjuds på alla skolor.\n", encoding="utf-8")
    doc = add_file(source, tmp_settings.corpus_dir, tmp_settings.catalog_file, budget=ReadBudget())
    assert doc.doc_id == "bra.md" and "Läxhjälp" in doc.text


@pytest.mark.parametrize(
    ("datum", "message"),
    [
        ("23 september 2025", "ÅÅÅÅ-MM-DD"),
        ("2025/09/23", "ÅÅÅÅ-MM-DD"),
        ("2025-02-30", "finns inte i almanackan"),
        ("20250923", "ÅÅÅÅ-MM-DD"),
    ],
)
def test_a_date_not_written_as_iso_is_refused_in_swedish_and_nothing_is_written(tmp_settings, tmp_path, datum, message):
    from chat.uploads import upload

    source = tmp_path / "protokoll-sept.md"
    source.write_text(PROTOCOL.format(what="läxhjälp"), encoding="utf-8")
    before = sorted(p.name for p in tmp_settings.corpus_dir.iterdir())
    *_, last = upload(str(source), "", "", datum, tmp_settings)
    assert last.startswith("Filen lades inte till") and message in last
    assert sorted(p.name for p in tmp_settings.corpus_dir.iterdir()) == before


def test_an_iso_date_is_accepted(tmp_settings, tmp_path):
    source = tmp_path / "protokoll-sept.md"
    source.write_text(PROTOCOL.format(what="läxhjälp"), encoding="utf-8")
    doc = add_file(source, tmp_settings.corpus_dir, tmp_settings.catalog_file, {"datum": "2025-09-23"})
    assert doc.date == "2025-09-23"
