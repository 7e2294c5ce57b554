"""Every rule is complete in both languages, and its documented examples behave as
documented: the bad example is reported with the rule's code, the good one is not."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from checker.engine import Engine
from checker.loader import LoadedFile, decode, load_text
from checker.rules import LANGS, load_ruleset

RULESET = load_ruleset("recommended")
RULES = sorted(RULESET.rules.values(), key=lambda rule: rule.code)
# Rules whose bad case cannot be written as file content: an unreadable file is a
# property of the file system (tested in test_loader with a directory and a dangling link;
# a FIFO, a device, a socket and a link out of the project in test_hostile_inputs),
# a check that fails is a bug in plancheck (tested in test_checks with a failing check),
# and a check that runs out of memory or kills its process is a property of the machine
# (tested in test_processes with a worker killed and a MemoryError). A stale baseline
# entry is a property of a baseline file beside the plans (tested in test_baseline).
NO_CONTENT_EXAMPLE = {"LOAD012", "LOAD015", "LOAD016", "LOAD017", "INT001", "SUP004"}


def _ruleset_of(rule, tmp_path):
    """The ruleset a rule's examples run under: the recommended one, or (for a rule about
    users' rules, `docs.ruleset`) that user ruleset over it."""
    if "ruleset" not in rule.docs:
        return RULESET
    path = tmp_path / "user-rules.yaml"
    path.write_text(rule.docs["ruleset"], encoding="utf-8")
    return load_ruleset(path)


def _check_example(example: str | dict[str, str], encoding: str | None = None, ruleset=RULESET):
    """Run an example: one file's text, or (for cross-document rules) file name -> text."""
    files = example if isinstance(example, dict) else {"example.yaml": example}
    loaded_files = []
    for name, text in files.items():
        loaded = LoadedFile(path=Path(name), name=name)
        if encoding:
            decoded = decode(loaded, text.encode(encoding))
            assert decoded is None
        else:
            load_text(loaded, text)
        loaded_files.append(loaded)
    return Engine(ruleset).run(loaded_files)


def test_codes_and_names_are_unique():
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    for rule in RULES:
        assert re.fullmatch(r"[A-Z]+\d{3}", rule.code), rule.code


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_rule_is_bilingual_and_documented(rule):
    for lang in LANGS:
        assert rule.message[lang].strip()
        assert rule.help[lang].strip()
        assert rule.docs["what"][lang].strip()
        assert rule.docs["why"][lang].strip()
    ja_fields = {f for _, f, _, _ in string.Formatter().parse(rule.message["ja"]) if f}
    en_fields = {f for _, f, _, _ in string.Formatter().parse(rule.message["en"]) if f}
    assert ja_fields == en_fields, "both languages say the same numbers"
    # Japanese text is Japanese: it has kana or kanji.
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", rule.message["ja"] + rule.docs["what"]["ja"])
    if rule.code not in NO_CONTENT_EXAMPLE:
        assert rule.docs.get("bad") and rule.docs.get("good")


@pytest.mark.parametrize("rule", [r for r in RULES if r.code not in NO_CONTENT_EXAMPLE], ids=lambda r: r.code)
def test_bad_example_is_reported(rule, tmp_path):
    diagnostics = _check_example(rule.docs["bad"], rule.docs.get("bad_encoding"), _ruleset_of(rule, tmp_path))
    assert rule.code in [d.code for d in diagnostics]
    for diagnostic in diagnostics:
        for lang in LANGS:
            assert diagnostic.message[lang]  # every placeholder was filled


@pytest.mark.parametrize("rule", [r for r in RULES if r.code not in NO_CONTENT_EXAMPLE], ids=lambda r: r.code)
def test_good_example_is_clean(rule, tmp_path):
    diagnostics = _check_example(rule.docs["good"], ruleset=_ruleset_of(rule, tmp_path))
    assert [d.code for d in diagnostics] == []
