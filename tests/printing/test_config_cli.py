"""Per-terminal config from the [printing] dict, and the click commands end to end."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from printing.config import PrintingConfig
from printing.errors import ConfigError, UnknownPrinter


def test_default_is_one_folder_printer_for_everything(tmp_path):
    config = PrintingConfig.from_dict({}, data_dir=tmp_path)
    assert list(config.printers) == ["folder"]
    for kind in ("product_label", "receipt", "pick_list", "shipping_label", "test_page"):
        assert config.printer_for(kind).name == "folder"
    assert config.printer("folder").target == str(tmp_path / "prints")


def test_routes_and_printers_from_dict(tmp_path):
    config = PrintingConfig.from_dict({
        "printers": {
            "zebra": {"backend": "tcp", "target": "10.0.0.9", "format": "zpl", "dpi": 300, "label": "60x40"},
            "till": {"backend": "cups", "target": "TM_T20", "format": "escpos"},
        },
        "routes": {"receipt": "till", "product_label": "zebra"},
    }, data_dir=tmp_path)
    assert config.printer_for("receipt").name == "till"
    zebra = config.printer_for("product_label")
    assert (zebra.dpi, zebra.label.width_mm, zebra.label.height_mm) == (300, 60, 40)
    assert config.printer_for("pick_list").name == "folder"


@pytest.mark.parametrize(("section", "message"), [
    ({"printers": {"z": {"backend": "tcp", "target": "x", "fromat": "zpl"}}}, "unknown keys"),
    ({"printers": {"z": {"backend": "usb", "target": "x", "format": "zpl"}}}, "backend"),
    ({"printers": {"z": {"backend": "tcp", "target": "x", "format": "zpl", "dpi": 600}}}, "203 or 300"),
    ({"printers": {"t": {"backend": "cups", "target": "x", "format": "escpos"}}, "routes": {"pick_list": "t"}},
     "cannot print a pick_list"),
    ({"routes": {"receipt": "nope"}}, "no such printer"),
    ({"printers": {"z": {"backend": "tcp", "target": "x", "format": "zpl", "label": "60 by 40"}}}, "label"),
])
def test_bad_config_is_refused_with_a_clear_message(tmp_path, section, message):
    with pytest.raises(ConfigError, match=message):
        PrintingConfig.from_dict(section, data_dir=tmp_path)


def test_unknown_printer_names_the_configured_ones(tmp_path):
    with pytest.raises(UnknownPrinter, match="configured: folder"):
        PrintingConfig.from_dict({}, data_dir=tmp_path).printer("zebra")


@pytest.fixture
def counter_env(tmp_path, monkeypatch):
    config = tmp_path / "counter.toml"
    config.write_text(
        "[terminal]\n"
        f'database = "{tmp_path / "store.db"}"\n'
        "[printing]\n"
        f'queue = "{tmp_path / "queue.sqlite3"}"\n'
        f'output_dir = "{tmp_path / "prints"}"\n'
        "[printing.printers.png]\n"
        f'backend = "folder"\ntarget = "{tmp_path / "png"}"\nformat = "png"\n'
    )
    monkeypatch.setenv("COUNTER_CONFIG", str(config))
    return tmp_path


def test_print_test_command_writes_a_test_page(counter_env):
    from cli.print_commands import print_test

    result = CliRunner().invoke(print_test, ["--printer", "png"], obj={})
    assert result.exit_code == 0, result.output
    (page,) = (counter_env / "png").iterdir()
    assert page.suffix == ".png" and str(page) in result.output


def test_print_test_unknown_printer_fails_cleanly(counter_env):
    from cli.print_commands import print_test

    result = CliRunner().invoke(print_test, ["--printer", "zebra"], obj={})
    assert result.exit_code == 1 and "no printer named 'zebra'" in result.output
    assert not (counter_env / "prints").exists()


def test_print_label_for_a_domain_product(counter_env):
    pytest.importorskip("models.store")
    from cli.print_commands import print_group
    from models.db import db
    from models.store import open_store
    from tests import factories

    database = open_store(counter_env / "store.db")
    try:
        factories.product("OAT-1L", price="1.99", barcode=factories.ean13("400638133393"))
    finally:
        database.close()
        db.initialize(None)
    result = CliRunner().invoke(print_group, ["label", "OAT-1L", "--copies", "3", "--printer", "png"], obj={})
    db.initialize(None)
    assert result.exit_code == 0, result.output
    (png,) = (counter_env / "png").iterdir()
    import io

    import zxingcpp
    from PIL import Image

    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.read_bytes())))] == ["4006381333931"]
