"""python -m index import: a whole archive tree, resumable, with a summary of what was skipped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import index
from index import archive
from index.archive import corpus_name, import_archive, path_metadata
from index.builder import UNIT_CACHE_SUFFIX, embedding_cache
from index.embedcache import text_key
from settings import Settings
from tests.conftest import TEST_CACHE

MEETING = (
    "# Protokoll\n\nSammanträdesdatum 2025-{date}\n\n## § {n} Simundervisning\n\n"
    "Nämnden beslutar att alla elever i årskurs 3 ska erbjudas {extra} extra simlektioner. "
    "Kostnaden är {cost} tkr och finansieras inom ramen.\n\n## § {m} Läxhjälp\n\n"
    "Läxhjälp erbjuds på {schools} skolor från och med hösten.\n"
)


def _meeting(i: int) -> str:
    return MEETING.format(date=f"0{1 + i}-1{i}", n=10 + i, m=11 + i, extra=2 + i, cost=100 * (i + 1), schools=3 + i)


def make_archive(root: Path) -> Path:
    """A small archive tree: four meetings, a copy of one, an empty file, a broken PDF and a protocol's table."""
    folder = root / "arkiv"
    for i, (kommun, namnd) in enumerate(
        [("Alingsås", "Barn- och utbildningsnämnden")] * 2 + [("Lerum", "Kulturnämnden")] * 2
    ):
        meeting = folder / kommun / namnd / "2025" / f"2025-0{1 + i}-1{i}"
        meeting.mkdir(parents=True)
        (meeting / "protokoll.md").write_text(_meeting(i), encoding="utf-8")
    first = folder / "Alingsås" / "Barn- och utbildningsnämnden" / "2025" / "2025-01-10"
    (first / "utskrift.md").write_bytes((first / "protokoll.md").read_bytes())
    (first / "kallelse.md").write_text("\n  \n", encoding="utf-8")
    (first / "handlingar.pdf").write_bytes(b"%PDF-1.4 trasig")
    (first / "protokoll.kostnader.csv").write_text("Insats;Kostnad (tkr)\nSimskola;100\n", encoding="utf-8")
    return folder


BATCH = 4


def archive_settings(root: Path, private_cache: bool = False) -> Settings:
    return Settings(
        corpus_dir=root / "corpus",
        catalog_file=root / "catalog.toml",
        data_dir=root / "data",
        cache_dir=root / "cache" if private_cache else TEST_CACHE,
        embed_batch_size=BATCH,
    )


def fresh_settings(tmp_path: Path) -> Settings:
    return archive_settings(tmp_path / "fresh", private_cache=True)


class SharedCacheEmbedder:
    """The real embedder's vectors, read from the shared test cache: an import into a private cache goes
    through every batch of the embedding queue without the time the model takes."""

    def __init__(self, settings: Settings) -> None:
        shared = settings.model_copy(update={"cache_dir": TEST_CACHE})
        self.caches = [embedding_cache(shared), embedding_cache(shared, UNIT_CACHE_SUFFIX)]

    def get_text_embedding_batch(self, texts: list[str]) -> list[list[float]]:
        found = {}
        for cache in self.caches:
            found.update(cache.get_many(texts))
        return [found[text_key(t)].tolist() for t in texts]


def index_contents(settings: Settings) -> tuple[list[dict], dict, list[tuple[str, float]]]:
    """What an index holds, without its build id and time: chunks, documents, and a search's ranking."""
    ix = index.open(settings)
    chunks = [c.to_dict() for c in ix.chunks]
    ranking = [(h.chunk.chunk_id, round(h.score, 6)) for h in ix.search("extra simlektioner", k=5).hits]
    return chunks, ix.manifest["documents"], ranking


@pytest.mark.parametrize(
    ("source", "flags", "expected"),
    [
        (
            "Alingsås/Barn- och utbildningsnämnden/2025/2025-03-19/protokoll.md",
            {},
            {"kommun": "Alingsås", "namnd": "Barn- och utbildningsnämnden", "datum": "2025-03-19", "typ": "Protokoll"},
        ),
        (
            "kulturnamnden/2024/2024-11-20/kallelse.md",
            {"kommun": "Kungsbacka"},
            {"kommun": "Kungsbacka", "namnd": "Kulturnamnden", "datum": "2024-11-20", "typ": "Kallelse"},
        ),
        (
            "lerum/2025-02-01-handlingar.md",
            {"namnd": "Kulturnämnden"},
            {"kommun": "Lerum", "namnd": "Kulturnämnden", "datum": "2025-02-01", "typ": "Handlingar"},
        ),
        (
            "alingsas/Kultur- och fritidsnämnden/2025-05-05/protokoll.md",
            {"kommun": "Alingsås"},
            {"kommun": "Alingsås", "namnd": "Kultur- och fritidsnämnden", "datum": "2025-05-05", "typ": "Protokoll"},
        ),
        (
            "Kultur- och fritidsnämnden/protokoll.md",
            {},
            {"namnd": "Kultur- och fritidsnämnden", "typ": "Protokoll"},
        ),
        ("bilaga.md", {}, {}),
    ],
)
def test_metadata_from_the_path_with_flags_winning(source, flags, expected):
    assert path_metadata(Path(source), **flags) == expected


def test_corpus_names_are_safe_and_drop_the_year_folder():
    name = corpus_name(Path("Alingsås/Barn- och utbildningsnämnden/2025/2025-03-19/protokoll.md"))
    assert name == "alingsas-barn-och-utbildningsnamnden-2025-03-19-protokoll.md"


@pytest.mark.slow
def test_interrupted_import_resumed_ends_with_the_same_index(tmp_path, monkeypatch):
    folder = make_archive(tmp_path)
    whole = archive_settings(tmp_path / "whole")
    report = import_archive(whole, folder, progress=False)

    assert len(report.imported) == 4 and report.build is not None and not report.build.errors
    reasons = {s.source: s.reason for s in report.skipped}
    first = "Alingsås/Barn- och utbildningsnämnden/2025/2025-01-10"
    assert reasons == {
        f"{first}/utskrift.md": "duplicate",
        f"{first}/kallelse.md": "empty",
        f"{first}/handlingar.pdf": "unreadable",
        f"{first}/protokoll.kostnader.csv": "table",
    }
    docs = index.open(whole).documents
    lerum = next(d for d in docs.values() if d["kommun"] == "Lerum")
    assert lerum["committee"] == "Kulturnämnden" and lerum["doc_type"] == "Protokoll"
    assert lerum["title"].startswith("Protokoll, Kulturnämnden, 2025-")

    # The same archive imported again adds nothing: every document is already in the corpus.
    again = import_archive(whole, folder, progress=False)
    assert not again.imported and {s.reason for s in again.skipped} >= {"duplicate"}

    # The same import from an empty cache, stopped during its fifth batch of texts, then run again.
    monkeypatch.setattr(archive, "make_embedder", SharedCacheEmbedder)
    fresh = import_archive(fresh_settings(tmp_path), folder, progress=False)
    assert fresh.embedded > 3 * BATCH
    stopped = archive_settings(tmp_path / "stopped", private_cache=True)
    real = archive.embed_batch
    batches: list[int] = []

    def stop_in_fifth_batch(embedder, texts):
        if len(batches) == 4:
            raise KeyboardInterrupt
        batches.append(len(texts))
        return real(embedder, texts)

    monkeypatch.setattr(archive, "embed_batch", stop_in_fifth_batch)
    with pytest.raises(KeyboardInterrupt):
        import_archive(stopped, folder, progress=False)
    with pytest.raises(index.IndexMissing):
        index.open(stopped)  # nothing is swapped in before the import has finished
    journal = archive.journal_path(stopped, folder)
    done = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()]
    assert sum(1 for d in done if d["outcome"] == "imported") >= 1

    monkeypatch.setattr(archive, "embed_batch", real)
    resumed = import_archive(stopped, folder, progress=False)
    assert resumed.embedded == fresh.embedded - sum(batches)  # nothing embedded before the stop is embedded again
    assert resumed.resumed == len(done) and sorted(resumed.imported) == sorted(report.imported)
    assert not journal.exists()
    assert index_contents(stopped) == index_contents(whole) == index_contents(fresh_settings(tmp_path))
    assert stopped.catalog_file.read_text(encoding="utf-8") == whole.catalog_file.read_text(encoding="utf-8")


def test_import_of_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(index.BuildError, match="finns inte"):
        import_archive(archive_settings(tmp_path), tmp_path / "saknas", progress=False)


def test_files_whose_names_meet_get_names_of_their_own(tmp_path):
    folder = tmp_path / "arkiv"
    (folder / "lerum").mkdir(parents=True)
    (folder / "lerum" / "protokoll.md").write_text(_meeting(2), encoding="utf-8")
    (folder / "lerum-protokoll.md").write_text(_meeting(3), encoding="utf-8")
    settings = archive_settings(tmp_path)
    report = import_archive(settings, folder, progress=False)
    assert sorted(report.imported) == ["lerum-protokoll-2.md", "lerum-protokoll.md"]
    assert sorted(p.name for p in settings.corpus_dir.iterdir()) == sorted(report.imported)


def test_the_command_prints_a_summary_grouped_by_reason(tmp_path, monkeypatch, capsys):
    from index.__main__ import main
    from settings import get_settings

    folder = make_archive(tmp_path)
    settings = archive_settings(tmp_path / "cli")
    for key in ("corpus_dir", "catalog_file", "data_dir", "cache_dir"):
        monkeypatch.setenv(f"NAMND_{key.upper()}", str(getattr(settings, key)))
    get_settings.cache_clear()
    try:
        assert main(["import", str(folder), "--kommun", "Alingsås"]) == 0
    finally:
        get_settings.cache_clear()
    out = capsys.readouterr().out
    assert "Importerade 4 dokument" in out and "Hoppade över 4 filer" in out
    assert "kunde inte läsas: 1" in out and "handlingar.pdf" in out and "dubbletter" in out
    catalog = settings.catalog_file.read_text(encoding="utf-8")
    assert 'kommun = "Alingsås"' in catalog and 'kommun = "Lerum"' not in catalog  # the flag wins over the path


def test_a_journal_line_cut_short_by_a_stop_is_done_again(tmp_path):
    journal = tmp_path / "journal.jsonl"
    whole = {"source": "a.md", "size": 1, "mtime_ns": 2, "outcome": "skipped", "reason": "empty", "detail": "tom"}
    journal.write_text(json.dumps(whole) + "\n" + '{"source": "b.md", "si', encoding="utf-8")
    assert list(archive.Journal(journal).done) == ["a.md"]


def test_tables_join_their_documents_and_a_lone_table_is_a_document(tmp_path):
    folder = make_archive(tmp_path)
    lone = folder / "Lerum" / "Kulturnämnden" / "taxor-2025.csv"
    lone.write_text("Lokal;Timme (kr)\nHel hall;165\nHalv hall;90\n", encoding="utf-8")
    settings = archive_settings(tmp_path)
    report = import_archive(settings, folder, progress=False)
    table = next(s for s in report.skipped if s.reason == "table")
    assert table.source.endswith("protokoll.kostnader.csv") and "protokoll.md" in table.detail
    protocol = next(n for n in report.imported if n.endswith("2025-01-10-protokoll.md"))
    copied = settings.corpus_dir / protocol.replace(".md", ".kostnader.csv")
    assert copied.is_file()
    assert "taxor-2025.csv" in " ".join(report.imported)
    ix = index.open(settings)
    rows = [c for c in ix.chunks if c.doc_id == protocol and any(r.header for r in c.rows)]
    assert rows and rows[0].rows[0].header == ["Insats", "Kostnad (tkr)"]
    lone_doc = next(d for d in ix.documents.values() if d["file"].endswith("taxor-2025.csv"))
    assert "taxor 2025" in lone_doc["title"].lower()
