"""Blocks -> sections with heading paths, page spans and exact character offsets."""

from __future__ import annotations

from corpus.models import Block, Item, Paragraph, Section

SECTION_SEPARATOR = "\n\n"


def _render(block: Block) -> str:
    return f"• {block.text}" if block.kind == "list_item" else block.text


def build_sections(blocks: list[Block]) -> tuple[str, list[Section]]:
    """Group blocks under their headings and lay the section texts out as one document text.

    A heading with no text of its own before its first sub-heading becomes part of its
    children's heading paths only. Text before the first heading forms a section
    with an empty heading path.
    """
    stack: list[tuple[int, str, Item | None]] = []
    groups: list[tuple[list[str], list[Block]]] = [([], [])]
    items: dict[int, Item | None] = {0: None}  # group index -> the § item it belongs to
    for block in blocks:
        if block.kind == "heading":
            while stack and stack[-1][0] >= block.level:
                stack.pop()
            stack.append((block.level, block.text, block.item))
            groups.append(([h for _, h, _ in stack], []))
            items[len(groups) - 1] = next((i for _, _, i in reversed(stack) if i is not None), None)
        else:
            groups[-1][1].append(block)

    # Keep leaves without text (a suspicious empty section), drop text-less parents.
    kept: list[tuple[list[str], list[Block], Item | None]] = []
    for idx, (path, body) in enumerate(groups):
        if body:
            kept.append((path, body, items[idx]))
        elif path:
            nxt = groups[idx + 1][0] if idx + 1 < len(groups) else []
            if not (len(nxt) > len(path) and nxt[: len(path)] == path):
                kept.append((path, body, items[idx]))

    text_parts: list[str] = []
    sections: list[Section] = []
    offset = 0
    heading_pages = {b.text: b.page for b in blocks if b.kind == "heading"}
    for path, body, item in kept:
        if text_parts:
            offset += len(SECTION_SEPARATOR)
        paragraphs: list[Paragraph] = []
        pieces: list[str] = []
        local = 0
        for block in body:
            rendered = _render(block)
            if pieces:
                local += 1  # the "\n" between paragraphs
            paragraphs.append(Paragraph(local, local + len(rendered), block.page, block.kind, block.row))
            pieces.append(rendered)
            local += len(rendered)
        section_text = "\n".join(pieces)
        pages = [p.page for p in paragraphs if p.page is not None]
        if not pages and path:
            hp = heading_pages.get(path[-1])
            pages = [hp] if hp is not None else []
        sections.append(
            Section(
                heading_path=path,
                text=section_text,
                start=offset,
                end=offset + len(section_text),
                page_start=min(pages) if pages else None,
                page_end=max(pages) if pages else None,
                paragraphs=paragraphs,
                item=item,
            )
        )
        text_parts.append(section_text)
        offset += len(section_text)
    return SECTION_SEPARATOR.join(text_parts), sections


def outline_rows(paths: list[list[str]]) -> list[tuple[int, str, bool]]:
    """(depth, heading, is_section) rows of a section tree: each section's own heading, preceded once by
    any parent headings (which have no text of their own) not yet shown above it."""
    rows: list[tuple[int, str, bool]] = []
    shown: list[str] = []
    for path in paths:
        for depth, ancestor in enumerate(path[:-1]):
            if shown[: depth + 1] != path[: depth + 1]:
                rows.append((depth, ancestor, False))
                shown = path[: depth + 1]
        rows.append((max(0, len(path) - 1), path[-1] if path else "", True))
        shown = list(path)
    return rows
