"""`plancheck server` without the lsp extra: a message saying how to install it, exit 2."""

from __future__ import annotations

import sys

from click.testing import CliRunner

from checker.cli import main


def test_without_pygls_the_server_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "pygls.lsp.server", None)  # import fails as if not installed
    monkeypatch.setitem(sys.modules, "lsprotocol", None)
    result = CliRunner().invoke(main, ["server", "--lang", "en"])
    assert result.exit_code == 2
    assert "plancheck server needs the lsp extra: pip install 'plancheck[lsp]'" in result.output
    japanese = CliRunner().invoke(main, ["server", "--lang", "ja"])
    assert japanese.exit_code == 2 and "lsp 追加機能が必要です" in japanese.output
