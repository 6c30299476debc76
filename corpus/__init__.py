"""Reading documents: files -> Documents with metadata and Sections."""

from corpus.loader import Corpus, load, read_document
from corpus.models import UNKNOWN, Block, Document, Paragraph, Section
from corpus.readers import SUPPORTED_SUFFIXES, CorpusError

__all__ = [
    "UNKNOWN",
    "SUPPORTED_SUFFIXES",
    "Block",
    "Corpus",
    "CorpusError",
    "Document",
    "Paragraph",
    "Section",
    "load",
    "read_document",
]
