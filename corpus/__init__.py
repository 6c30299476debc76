"""Reading documents: files -> Documents with metadata and Sections."""

from corpus.loader import Corpus, load, read_document
from corpus.models import UNKNOWN, Block, Document, Meeting, Paragraph, Person, Section, TableRow
from corpus.readers import SUPPORTED_SUFFIXES, CorpusError

__all__ = [
    "UNKNOWN",
    "SUPPORTED_SUFFIXES",
    "Block",
    "Corpus",
    "CorpusError",
    "Document",
    "Meeting",
    "Paragraph",
    "Person",
    "Section",
    "TableRow",
    "load",
    "read_document",
]
