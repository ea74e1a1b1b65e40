"""Read the text back out of the PDFs our folder printer writes (fpdf2 output), for tests.

No PDF library is installed, and fpdf2 writes embedded TrueType subsets: text is drawn as 2-byte
glyph ids in compressed content streams, and each font carries a ToUnicode CMap. This reads exactly
that much of the format: objects, Flate streams, `/Fn size Tf` and `(...) Tj`, bfchar/bfrange maps.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

_OBJ = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    out: dict[int, tuple[bytes, bytes | None]] = {}
    for match in _OBJ.finditer(data):
        body = match.group(2)
        stream = _STREAM.search(body)
        content = None
        if stream:
            raw = stream.group(1)
            content = zlib.decompress(raw) if b"/FlateDecode" in body[: stream.start()] else raw
        out[int(match.group(1))] = (body, content)
    return out


def _cmap(stream: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = int(dst, 16)
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[code] = chr(start + i)
    return mapping


def _literal(data: bytes, i: int) -> tuple[bytes, int]:
    """The literal string starting after '(' at ``i``; returns (bytes, index after ')')."""
    out = bytearray()
    depth = 1
    while i < len(data):
        c = data[i : i + 1]
        if c == b"\\":
            nxt = data[i + 1 : i + 2]
            if nxt in _ESCAPES:
                out += _ESCAPES[nxt]
                i += 2
                continue
            octal = re.match(rb"[0-7]{1,3}", data[i + 1 : i + 4])
            if octal:
                out.append(int(octal.group(0), 8) & 0xFF)
                i += 1 + len(octal.group(0))
                continue
            i += 2  # a line continuation or an unknown escape: the backslash is dropped
            continue
        if c == b"(":
            depth += 1
        elif c == b")":
            depth -= 1
            if depth == 0:
                return bytes(out), i + 1
        out += c
        i += 1
    return bytes(out), i


def pdf_text(data: bytes) -> str:
    """Every text run of every page, one line per run, in drawing order."""
    objects = _objects(data)
    fonts: dict[bytes, dict[int, str]] = {}
    for body, _content in objects.values():
        for block in re.findall(rb"/Font\s*<<(.*?)>>", body, re.S):
            for name, ref in re.findall(rb"/(\w+)\s+(\d+) 0 R", block):
                font_body = objects.get(int(ref), (b"", None))[0]
                to_unicode = re.search(rb"/ToUnicode\s+(\d+) 0 R", font_body)
                if to_unicode:
                    fonts[name] = _cmap(objects[int(to_unicode.group(1))][1] or b"")
    runs: list[str] = []
    for _body, content in objects.values():
        if content is None or b"Tj" not in content and b"TJ" not in content:
            continue
        font: dict[int, str] | None = None
        i = 0
        while i < len(content):
            tf = re.compile(rb"/(\w+)\s+[\d.]+\s+Tf").match(content, i)
            if tf:
                font = fonts.get(tf.group(1))
                i = tf.end()
                continue
            if content[i : i + 1] == b"(":
                raw, i = _literal(content, i + 1)
                if font is not None:
                    runs.append("".join(font.get(int.from_bytes(raw[k : k + 2], "big"), "?")
                                        for k in range(0, len(raw) - 1, 2)))
                else:  # a core font: Latin-1 bytes
                    runs.append(raw.decode("latin-1"))
                continue
            i += 1
    return "\n".join(runs)


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", data))


def read_pdf_text(path: Path) -> str:
    return pdf_text(path.read_bytes())
