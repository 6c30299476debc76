"""Answering: retrieval -> Swedish answer with citations; follow-up questions; honest refusals.

Entry point: ``ask(question, history=None, filters=None, mode=None) -> Answer``.
"""

from assistant.models import REFUSAL, Answer, Citation
from assistant.pipeline import ask, ask_stream, filter_label

__all__ = ["REFUSAL", "Answer", "Citation", "ask", "ask_stream", "filter_label"]
