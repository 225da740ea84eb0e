"""HTML with BeautifulSoup: page chrome (scripts, navigation, headers, footers) dropped, headings
by their tag, list items, tables in place with their header cells."""
from __future__ import annotations

from rag.ingest.blocks import Block
from rag.ingest.converters.tables import make_table
from rag.ingest.structure import classify

_PLACE = "\x00block:{}\x00"  # stands where a heading or a table was, in the page's text


def read_html(data: bytes, **_) -> "Converted":
    from bs4 import BeautifulSoup

    from rag.ingest.convert import Converted

    soup = BeautifulSoup(data, "lxml")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "head"]):
        tag.decompose()
    placed: list[Block] = []
    for table in soup.find_all("table"):
        if table.find_parent("table") is not None:
            continue  # read as part of the outer table's cell
        rows = [[c.get_text(" ", strip=True) for c in tr.find_all(["td", "th"], recursive=False)]
                for tr in table.find_all("tr") if tr.find_parent("table") is table]
        heads = sum(1 for tr in table.find_all("tr") if tr.find_parent("table") is table and tr.find("td") is None)
        block = make_table(rows, heads or None)
        table.replace_with(f"\n{_PLACE.format(len(placed))}\n" if block else "")
        if block:
            placed.append(block)
    for n in range(1, 7):
        for h in soup.find_all(f"h{n}"):
            placed.append(Block("heading", h.get_text(" ", strip=True), level=n))
            h.replace_with(f"\n{_PLACE.format(len(placed) - 1)}\n")
    for caption in soup.find_all("figcaption"):
        placed.append(Block("caption", caption.get_text(" ", strip=True)))
        caption.replace_with(f"\n{_PLACE.format(len(placed) - 1)}\n")
    blocks = []
    for line in soup.get_text("\n").split("\n"):
        line = line.strip()
        if line.startswith("\x00block:"):
            blocks.append(placed[int(line.strip("\x00").split(":")[1])])
        elif line:
            blocks.append(classify(line))
    return Converted([b for b in blocks if b.text or b.rows], title)
