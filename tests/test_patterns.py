"""checker.patterns: a module's regular expressions compiled at their first use."""

from __future__ import annotations

import re
import subprocess
import sys
import types

import pytest

from checker.patterns import LazyPattern, lazy_pattern


def _module() -> types.ModuleType:
    module = types.ModuleType("lazy_example")
    exec("import re\nfrom checker.patterns import lazy_pattern\n"
         "WORD = lazy_pattern(r'(?P<word>[a-z]+)', re.IGNORECASE)\n"
         "def first_word(text):\n    return WORD.search(text)['word']\n", module.__dict__)
    return module


def test_the_first_use_puts_the_compiled_pattern_in_the_module_and_answers_as_it():
    module = _module()
    held = module.WORD
    assert isinstance(held, LazyPattern)
    assert module.first_word("12 Abc1") == "Abc"  # the flags are kept
    assert isinstance(module.WORD, re.Pattern) and module.WORD.pattern == "(?P<word>[a-z]+)"
    assert module.WORD.flags & re.IGNORECASE
    assert held.search("12 xy").span() == (3, 5)  # a reference taken before answers too
    assert held.sub("-", "a1b") == "-1-" and held.groupindex == {"word": 1}


def test_an_unknown_attribute_is_the_patterns_attribute_error_and_dunder_probes_do_not_compile():
    pattern = lazy_pattern(r"x")
    assert getattr(pattern, "__deepcopy__", None) is None and "match" not in vars(pattern)
    with pytest.raises(AttributeError, match="nothing"):
        getattr(pattern, "nothing")  # noqa: B009


def test_importing_the_modules_of_a_check_compiles_none_of_their_module_patterns():
    probe = ("import checker.values, checker.fiscal, checker.kinds, checker.loader, checker.model\n"
             "import checker.functions.figures, checker.functions.tables\n"
             "from checker.patterns import LazyPattern\n"
             "print(sorted({type(value).__name__ for module in (checker.values, checker.fiscal, checker.kinds,\n"
             "    checker.loader, checker.model, checker.functions.figures, checker.functions.tables)\n"
             "    for name, value in vars(module).items() if name.endswith(('_RE', 'BRACKETED', 'SIGNS', 'PREFIX',\n"
             "    'FIGURE')) and not isinstance(value, (str, tuple, dict, frozenset))}))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "['LazyPattern']", result.stderr
