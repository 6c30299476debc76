"""The PostgreSQL backend (NAMND_PG_URL): the same results contract as the default backend, filters in SQL,
Swedish full-text search, one table per build, failures that leave the previous index serving."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import SHIPPED, TEST_CACHE, small_corpus

import index
from assistant import ask
from index import pgstore
from index.searcher import Filters
from settings import ROOT, Settings

pytestmark = pytest.mark.slow


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg2://"))
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT tablename FROM pg_tables WHERE tablename LIKE 'data_namnd_%'"))
            return {r[0] for r in rows}
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def pg_built(pg_url, tmp_path_factory) -> tuple[Settings, index.Index]:
    settings = Settings(
        corpus_dir=SHIPPED,
        catalog_file=ROOT / "corpus" / "catalog.toml",
        data_dir=tmp_path_factory.mktemp("pg-index"),
        cache_dir=TEST_CACHE,
        pg_url=pg_url,
    )
    index.build(settings, progress=False)
    return settings, index.open(settings)


def test_the_build_lives_in_postgres_and_the_manifest_names_no_password(pg_built, pg_url):
    settings, ix = pg_built
    m = ix.manifest
    assert m["store"] == "postgres" and "chroma" not in m
    assert pgstore.DATA_PREFIX + m["pg_table"] in _tables(pg_url)
    assert not (ix.build_dir / "chroma").exists()
    assert m["pg_server"] == pgstore.where(pg_url) and "postgres@" not in (ix.build_dir / "manifest.json").read_text()
    assert "PostgreSQL" in ix.status()["backend"]


@pytest.mark.parametrize(
    "question",
    [
        "Vad har nämnden gjort för elever med hög frånvaro?",
        "Hur många socialpedagoger finns det?",
        "Vilka utvecklingsområden har Svenljunga?",
    ],
)
def test_answers_cite_what_the_default_backend_cites(pg_built, built, shared_index, question):
    settings, ix = pg_built
    ours = ask(question, settings=settings, index=ix)
    theirs = ask(question, settings=built[0], index=shared_index)
    assert ours.refused == theirs.refused
    assert ours.citations, ours.answer
    first = ours.citations[0].hit.chunk
    assert (first.doc_id, first.section) == (
        theirs.citations[0].hit.chunk.doc_id,
        theirs.citations[0].hit.chunk.section,
    )


def test_filters_by_municipality_year_and_document_apply_in_sql(pg_built):
    _, ix = pg_built
    chunk = next(c for c in ix.chunks if c.kommun == "Svenljunga")
    for filters, holds in (
        (Filters(kommun=["Svenljunga"]), lambda c: c.kommun == "Svenljunga"),
        (Filters(years=[chunk.year]), lambda c: c.year == chunk.year),
        (Filters(doc_ids=[chunk.doc_id]), lambda c: c.doc_id == chunk.doc_id),
        (Filters(kommun=["Alingsås"], years=[chunk.year]), lambda c: c.kommun == "Alingsås" and c.year == chunk.year),
    ):
        vector = ix.embed_query("frånvaro")
        dense, sparse = ix.pg.search(
            "frånvaro elever", vector, 30, pgstore.pg_filters(filters.kommun, filters.doc_ids, filters.years)
        )
        rows = [ix.chunks[ix.position[cid]] for cid, _ in dense + sparse]
        assert dense and all(holds(c) for c in rows), filters
        # A narrow filter still yields every allowed chunk up to the count asked for (exact, not graph-limited).
        allowed = sum(1 for c in ix.chunks if holds(c))
        assert len(dense) == min(30, allowed)
    assert ix.search("frånvaro", filters=Filters(years=[1999])).hits == []
    # Values are spliced into SQL by the store: a quote or a colon in one is data, not syntax.
    odd = pgstore.pg_filters(["Ingen O'Kommun: alls"], [], [])
    assert ix.pg.search("frånvaro", ix.embed_query("frånvaro"), 30, odd) == ([], [])


def test_swedish_full_text_matches_inflected_forms(pg_built):
    _, ix = pg_built
    vector = ix.embed_query("förskolorna")
    _, sparse = ix.pg.search("förskolorna", vector, 30, None)
    texts = [ix.chunks[ix.position[cid]].indexed_text.lower() for cid, _ in sparse]
    assert texts and all("förskol" in t for t in texts)
    # "förskolorna" itself need not occur: the stem finds "förskola", "förskolan", ...
    assert any("förskolorna" not in t for t in texts)
    _, none = ix.pg.search("och i att", vector, 30, None)  # stop words only
    assert none == []


@pytest.mark.parametrize(
    "question", ["Hur många socialpedagoger finns det 2025-06-17?", "elevhälsans kostnader och förskolorna"]
)
def test_full_text_scores_are_the_default_backends_bm25(pg_built, shared_index, question):
    """Same tokens (dates, stop words, stems) and the same scores as bm25s, also under a filter."""
    _, ix = pg_built
    vector = ix.embed_query(question)
    for filters in (None, Filters(kommun=["Alingsås"])):
        where = pgstore.pg_filters(filters.kommun, [], []) if filters else None
        _, sparse = ix.pg.search(question, vector, 15, where)
        mask = shared_index._mask(filters)
        theirs = shared_index.bm25.search(question, 15, None if mask is None else mask.astype("float32"))
        assert [cid for cid, _ in sparse] == [cid for cid, _ in theirs], filters
        assert [round(s, 3) for _, s in sparse] == [round(s, 3) for _, s in theirs]


def test_named_documents_are_preferred_in_postgres_as_in_the_default_backend(pg_built, shared_index):
    _, ix = pg_built
    doc = next(c.doc_id for c in ix.chunks if c.kommun == "Svenljunga")
    question = "Hur går det med frånvaron?"
    ours = ix.search(question, k=5, prefer_docs=frozenset({doc}), prefer_weight=2.0)
    theirs = shared_index.search(question, k=5, prefer_docs=frozenset({doc}), prefer_weight=2.0)
    assert [h.chunk.chunk_id for h in ours.hits] == [h.chunk.chunk_id for h in theirs.hits]
    assert ours.hits[0].chunk.doc_id == doc != ix.search(question, k=1).hits[0].chunk.doc_id


def _pg_settings(tmp_path: Path, url: str) -> Settings:
    return small_corpus(tmp_path, cache_dir=TEST_CACHE, pg_url=url)


def test_rebuilds_swap_tables_and_drop_superseded_ones(tmp_path, pg_url):
    settings = _pg_settings(tmp_path, pg_url)
    tables = []
    for n in range(3):
        (settings.corpus_dir / "extra.md").write_text(f"# Extra\n\nVersion {n} av läxhjälpen.\n", encoding="utf-8")
        report = index.build(settings, progress=False)
        tables.append(pgstore.DATA_PREFIX + index.open(settings).manifest["pg_table"])
        assert report.changed or report.added
    present = _tables(pg_url)
    # The build serving and the one before it (a reader may still be using it) stay; older ones are dropped.
    assert tables[2] in present and tables[1] in present and tables[0] not in present
    assert index.open(settings).search("läxhjälpen version 2", k=1).hits[0].chunk.doc_id == "extra.md"
    assert index.build(settings, progress=False).up_to_date


def _fail(*args, **kwargs):
    raise RuntimeError("simulated crash")


@pytest.mark.parametrize("step", ["index.builder.write_tables", "index.layout.switch_current"])
def test_failed_build_leaves_the_previous_build_and_table_serving(tmp_path, pg_url, monkeypatch, step):
    settings = _pg_settings(tmp_path, pg_url)
    first = index.build(settings, progress=False)
    before = _tables(pg_url)
    (settings.corpus_dir / "ny.md").write_text("# Ny\n\nNämnden inför läxhjälp på alla skolor.\n", encoding="utf-8")
    with monkeypatch.context() as patch:
        patch.setattr(step, _fail)
        with pytest.raises(RuntimeError, match="simulated"):
            index.build(settings, progress=False)
    assert _tables(pg_url) == before  # the half-written build's table was dropped
    ix = index.open(settings)
    assert ix.manifest["build_id"] == first.build_id
    assert ix.search("simma 200 meter", k=1).hits[0].chunk.doc_id == "simskola.md"


def test_tables_of_a_build_killed_before_its_manifest_are_dropped_by_the_next_build(tmp_path, pg_url):
    settings = _pg_settings(tmp_path, pg_url)
    index.build(settings, progress=False)
    killed = "20260101T000000-dead00"  # a build folder as kill -9 leaves it: no manifest, its table written
    (settings.index_dir / "builds" / killed).mkdir()
    engine = sa.create_engine(pg_url.replace("postgresql://", "postgresql+psycopg2://"))
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE TABLE "{pgstore.DATA_PREFIX}{pgstore.table_name(killed)}" (id int)'))
    finally:
        engine.dispose()
    assert pgstore.DATA_PREFIX + pgstore.table_name(killed) in _tables(pg_url)
    (settings.corpus_dir / "ny.md").write_text("# Ny\n\nNämnden inför läxhjälp.\n", encoding="utf-8")
    index.build(settings, progress=False)
    assert pgstore.DATA_PREFIX + pgstore.table_name(killed) not in _tables(pg_url)
    assert not (settings.index_dir / "builds" / killed).exists()


def test_unreachable_postgres_is_a_clear_error_and_the_previous_index_serves(tmp_path, monkeypatch, capsys):
    settings = small_corpus(tmp_path, cache_dir=TEST_CACHE)
    first = index.build(settings, progress=False)  # the default backend
    bad = settings.model_copy(update={"pg_url": "postgresql://namnd:hemligt@127.0.0.1:1/namnd"})
    with pytest.raises(index.BuildError, match="PostgreSQL på 127.0.0.1:1/namnd kunde inte") as err:
        index.build(bad, progress=False)
    assert "hemligt" not in str(err.value) and "tidigare indexet är oförändrat" in str(err.value)
    # Starting with the bad URL keeps serving the index there is.
    assert index.ensure(bad, progress=False).manifest["build_id"] == first.build_id
    with pytest.raises(index.BuildError, match="NAMND_PG_URL måste börja med postgresql"):
        index.build(settings.model_copy(update={"pg_url": "mysql://x@h/db"}), progress=False)

    from index.__main__ import main
    from settings import get_settings

    for key, value in {
        "NAMND_CORPUS_DIR": settings.corpus_dir,
        "NAMND_CATALOG_FILE": settings.catalog_file,
        "NAMND_DATA_DIR": settings.data_dir,
        "NAMND_CACHE_DIR": settings.cache_dir,
        "NAMND_PG_URL": bad.pg_url,
    }.items():
        monkeypatch.setenv(key, str(value))
    get_settings.cache_clear()
    try:
        capsys.readouterr()
        assert main(["build", "--rebuild"]) == 1
        err_text = capsys.readouterr().err
        assert "Fel: PostgreSQL på 127.0.0.1:1/namnd kunde inte" in err_text and "hemligt" not in err_text
    finally:
        get_settings.cache_clear()
    assert index.open(settings).manifest["build_id"] == first.build_id


def test_a_postgres_build_whose_server_is_gone_says_so(pg_built):
    settings, ix = pg_built
    down = settings.model_copy(update={"pg_url": "postgresql://postgres@127.0.0.1:1/namnd"})
    with pytest.raises(index.StoreUnavailable, match="kunde inte nås"):
        index.open(down)
    with pytest.raises(index.IndexDamaged, match="NAMND_PG_URL är inte satt"):
        index.open(settings.model_copy(update={"pg_url": None}))
    # A server that goes away while the index serves: the search says so (the chat shows it as the reply).
    gone = pgstore.PgSearcher(down.pg_url, ix.manifest["pg_table"], ix.manifest["dimension"])
    with pytest.raises(index.StoreUnavailable, match="PostgreSQL på 127.0.0.1:1/namnd kunde inte söka"):
        gone.search("frånvaro", ix.embed_query("frånvaro"), 5, None)


def _environment(monkeypatch, settings, pg_url) -> None:
    """The commands' environment: the test index's folders and the given Postgres URL."""
    for key, value in {
        "NAMND_CORPUS_DIR": settings.corpus_dir,
        "NAMND_CATALOG_FILE": settings.catalog_file,
        "NAMND_DATA_DIR": settings.data_dir,
        "NAMND_CACHE_DIR": settings.cache_dir,
        "NAMND_PG_URL": pg_url,
    }.items():
        monkeypatch.setenv(key, str(value))


def test_status_names_the_postgres_backend(pg_built, monkeypatch, capsys):
    from index.__main__ import main
    from settings import get_settings

    settings, ix = pg_built
    _environment(monkeypatch, settings, settings.pg_url)
    get_settings.cache_clear()
    try:
        capsys.readouterr()
        assert main(["status"]) == 0
        out = capsys.readouterr().out
    finally:
        get_settings.cache_clear()
    assert f"Sökmotor: PostgreSQL {pgstore.where(settings.pg_url)} (tabell data_{ix.manifest['pg_table']})" in out


@pytest.mark.parametrize(
    "query",
    [
        "socialpedagoger",
        "elever med hög frånvaro",
        "garanti för tidiga insatser",
        "förskolorna i kommunen",
        "digitaliseringstjänsterna",  # a compound no passage uses: searched by its parts in both backends
    ],
)
def test_full_text_ranks_as_the_default_backends_bm25(pg_built, shared_index, query):
    _, ix = pg_built
    _, sparse = ix.pg.search(query, ix.embed_query(query), 10, None)
    bm25 = shared_index.bm25.search(query, 10)
    assert sparse and sparse[0][0] == bm25[0][0]
    assert len({cid for cid, _ in sparse[:5]} & {cid for cid, _ in bm25[:5]}) >= 4


def test_assistant_cli_says_when_postgres_is_down(pg_built, monkeypatch, capsys):
    from assistant.__main__ import main
    from assistant.engine import set_index
    from settings import get_settings

    settings, _ = pg_built
    _environment(monkeypatch, settings, "postgresql://postgres:hemligt@127.0.0.1:1/namnd")
    get_settings.cache_clear()
    set_index(None)
    try:
        capsys.readouterr()
        assert main(["search", "frånvaro"]) == 1
        err = capsys.readouterr().err
    finally:
        set_index(None)
        get_settings.cache_clear()
    assert "Fel: PostgreSQL på 127.0.0.1:1/namnd kunde inte nås" in err and "hemligt" not in err
