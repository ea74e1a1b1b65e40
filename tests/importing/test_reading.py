"""Decoding and splitting real-world exports: encodings, delimiters, quoting, physical line numbers.

The reader streams the file: `Loaded` is a test's view of the whole of it."""

from __future__ import annotations

import codecs
import itertools
from dataclasses import dataclass
from pathlib import Path

import pytest

from models.importing import columns, reading

_files = itertools.count()


@dataclass
class Loaded:
    table: reading.Table
    rows: list[reading.RawRow]

    def __getattr__(self, name: str):
        return getattr(self.table, name)


@pytest.fixture(autouse=True)
def _folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def load(data: bytes, kind: str = "products", encoding: str | None = None) -> Loaded:
    path = Path(f"file{next(_files)}.csv")
    path.write_bytes(data)
    table = reading.open_table(path, encoding, columns.recognizer(kind))
    return Loaded(table, list(table.rows()))


def table(text: str, kind: str = "products") -> Loaded:
    return load(text.encode("utf-8"), kind)


def test_utf8_bom_is_dropped():
    t = load(codecs.BOM_UTF8 + b"sku,name\nP1,Tee\n")
    assert t.encoding == "utf-8-sig" and t.header == ["sku", "name"]


def test_gbk_file_is_read_as_gb18030():
    t = load("sku,name,name_zh\nG1,Green tea,绿茶\n".encode("gbk"))
    assert t.encoding == "gb18030" and t.rows[0].cells == ["G1", "Green tea", "绿茶"]


def test_gb18030_with_its_bom_drops_it():
    t = load("\ufeffsku,name\nG1,绿茶\n".encode("gb18030"))
    assert t.header == ["sku", "name"] and t.rows[0].cells == ["G1", "绿茶"]


def test_excel_unicode_text_utf16_is_read():
    t = load("sku\tname\nP1\t茶\n".encode("utf-16"))
    assert t.encoding == "utf-16" and t.delimiter == "\t" and t.rows[0].cells == ["P1", "茶"]


def test_undecodable_file_names_the_line_and_what_to_do():
    with pytest.raises(reading.ImportFileError) as caught:
        load(b"sku,name\nP1,ok\nP2,\xff\xff\n")
    assert caught.value.line == 3
    assert "--encoding" in caught.value.reason and "0xff" in caught.value.reason


def test_a_bad_byte_past_the_first_block_is_found_on_its_line():
    rows = b"".join(b"P%d,ok\n" % n for n in range(300_000))  # several read blocks
    with pytest.raises(reading.ImportFileError) as caught:
        load(b"sku,name\n" + rows + b"P,\xff\n")
    assert caught.value.line == 300_002


def test_explicit_encoding_is_the_only_one_tried():
    data = "sku,name\nP1,Café\n".encode("cp1252")
    assert load(data, encoding="cp1252").rows[0].cells == ["P1", "Café"]
    with pytest.raises(reading.ImportFileError, match="not utf-8-sig"):
        load(data, encoding="utf-8")
    with pytest.raises(reading.ImportFileError, match="Unknown encoding"):
        load(data, encoding="klingon")


def test_semicolon_delimiter_found_by_the_header():
    t = table("SKU;Name;Price\nP1;Tea, green;2,50\n", kind="prices")
    assert t.delimiter == ";" and t.decimal_comma
    assert t.rows[0].cells == ["P1", "Tea, green", "2,50"]


def test_physical_line_numbers_count_newlines_inside_quotes_and_blank_lines():
    text = 'sku,name\r\nA,"two\r\nlines"\r\n\r\nB,"say ""hi"""\r\nC,plain\r\n'
    t = table(text)
    assert [(r.line, r.cells[0]) for r in t.rows] == [(2, "A"), (5, "B"), (6, "C")]
    assert t.rows[0].cells[1] == "two\r\nlines" and t.rows[1].cells[1] == 'say "hi"'


def test_header_after_blank_lines_keeps_its_line():
    t = table("\n\nsku,name\nP1,x\n")
    assert t.header_line == 3 and t.rows[0].line == 4


def test_unclosed_quote_is_reported_where_it_opens():
    with pytest.raises(reading.ImportFileError) as caught:
        table('sku,name\nP1,ok\nP2,"never closed\nP3,x\nP4,y\n')
    assert caught.value.line == 3 and "never closed" in caught.value.reason


def test_stray_quote_inside_an_unquoted_value_is_just_a_character():
    t = table('sku,name\nP1,5" screen\n')
    assert t.rows[0].cells == ["P1", '5" screen']


def test_digest_is_that_of_the_whole_file_held_at_once():
    # Stock imported by earlier versions has event ids made from this digest: it must not change.
    import hashlib
    import json

    body = [["sku", "name"], ["P1", "Tea"], ["P2", "绿茶"]]
    held = hashlib.sha256(json.dumps(body, ensure_ascii=False).encode()).hexdigest()
    assert table("sku,name\nP1,Tea\nP2,绿茶\n").digest() == held


def test_digest_ignores_encoding_delimiter_quoting_and_spaces():
    a = table("sku,name\nP1,Tea\n")
    b = table('SKU ; name\r\n"P1"; Tea \r\n')
    assert a.digest() != table("sku,name\nP1,Tee\n").digest()
    assert table("sku;name\nP1;Tea\n").digest() == a.digest()
    assert b.digest() != a.digest()  # by default header names are compared as written
    assert b.digest(columns.canonical("products")) == a.digest(columns.canonical("products"))
    assert table("item,description\nP1,Tea\n").digest(columns.canonical("products")) == a.digest(
        columns.canonical("products"))


def test_empty_file_is_refused():
    with pytest.raises(reading.ImportFileError, match="empty"):
        table("\n  \n")
