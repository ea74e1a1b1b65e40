"""Decoding and splitting real-world exports: encodings, delimiters, quoting, physical line numbers."""

from __future__ import annotations

import codecs

import pytest

from models.importing import columns, reading


def table(text: str, kind: str = "products", encoding: str = "utf-8") -> reading.Table:
    return reading.read_table(text, encoding, columns.recognizer(kind))


def test_utf8_bom_is_dropped():
    text, used = reading.decode(codecs.BOM_UTF8 + b"sku,name\nP1,Tee\n")
    assert used == "utf-8-sig"
    assert table(text).header == ["sku", "name"]


def test_gbk_file_is_read_as_gb18030():
    text, used = reading.decode("sku,name,name_zh\nG1,Green tea,绿茶\n".encode("gbk"))
    assert used == "gb18030"
    assert table(text).rows[0].cells == ["G1", "Green tea", "绿茶"]


def test_excel_unicode_text_utf16_is_read():
    text, used = reading.decode("sku\tname\nP1\t茶\n".encode("utf-16"))
    assert used == "utf-16"
    t = table(text)
    assert t.delimiter == "\t" and t.rows[0].cells == ["P1", "茶"]


def test_undecodable_file_names_the_line_and_what_to_do():
    with pytest.raises(reading.ImportFileError) as caught:
        reading.decode(b"sku,name\nP1,ok\nP2,\xff\xff\n")
    assert caught.value.line == 3
    assert "--encoding" in caught.value.reason and "0xff" in caught.value.reason


def test_explicit_encoding_is_the_only_one_tried():
    data = "sku,name\nP1,Café\n".encode("cp1252")
    assert reading.decode(data, "cp1252")[0] == "sku,name\nP1,Café\n"
    with pytest.raises(reading.ImportFileError, match="not utf-8-sig"):
        reading.decode(data, "utf-8")
    with pytest.raises(reading.ImportFileError, match="Unknown encoding"):
        reading.decode(data, "klingon")


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
