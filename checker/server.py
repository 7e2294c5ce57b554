"""`plancheck server`: a language server on standard input and output (the `lsp` extra, pygls).

Each open plan is checked as `plancheck PATH` would check it, through `checker.run`
(`prepare`, then `execute` with the open documents' text in `RunOptions.texts`, which
replaces their files on disk): the rest of the configuration's plan set is read from disk as
context for the cross-document rules. Diagnostics are published when a document opens and,
debounced, when it changes; their related spans are `relatedInformation`. Code actions
offer each safe fix (`Fix.safe`; an unsafe one rewrites a figure that may be right) and a
reasoned suppression (`# plancheck: ignore[CODE] reason`, with a reason for the user to
write); hover shows the rule's documentation; a change of the configuration file or of a
ruleset (`workspace/didChangeWatchedFiles`, or saving it) reloads them, and a plan changed
on disk re-checks the open ones. Positions are converted by `checker.positions` in the
encoding negotiated with the client (UTF-16 unless it asked otherwise).

Nothing a check raises reaches the client as a traceback: a configuration error is a
diagnostic at the top of the document, an internal error a diagnostic and a
`window/logMessage`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.cache import MemoryCache
from checker.diagnostics import Severity, Text
from checker.positions import Positions

if TYPE_CHECKING:
    from checker.diagnostics import Diagnostic
    from checker.run import Prepared

# the wait after a change before checking, so a burst of keystrokes is one check
DEBOUNCE_SECONDS = 0.3
CONFIGURATION_FILES = ("plancheck.toml", "pyproject.toml")
NAME = "plancheck"

PLACEHOLDER_REASON = Text("（ここに抑止する理由を書いてください）", "(write here why this finding is not a mistake)")
MISSING_PYGLS = Text("plancheck server には lsp 追加機能が必要です: pip install 'plancheck[lsp]'",
                     "plancheck server needs the lsp extra: pip install 'plancheck[lsp]'")


def serve(lang: str | None = None) -> int:
    """Run the server on stdio until the client ends it; 2 when pygls is not installed."""
    try:
        server = build_server(lang)
    except ImportError:
        from checker.cli import default_lang

        sys.stderr.write("plancheck: " + MISSING_PYGLS.render(lang or default_lang()) + "\n")
        return 2
    server.start_io()
    return 0


class Checked:
    """One document's last check: the text it was of, and what it found there."""

    def __init__(self, version: int | None, text: str, diagnostics: list[Diagnostic], positions: Positions,
                 prepared: Prepared | None) -> None:
        self.version = version
        self.text = text
        self.diagnostics = diagnostics
        self.positions = positions
        self.prepared = prepared
        self.logs: list[tuple[str, Any]] = []  # (message, LSP message type) to log
        self.loaded: Any = None  # the text loaded once, for the suppressions' check (`suppression_edit`)
        self.suppressions: dict[int, tuple[int, int, str] | None] = {}  # by diagnostic index


def _escaped(text: str) -> str:
    """Text a repository wrote (a ruleset's docs) as Markdown that shows it literally: no link,
    image or HTML of its own."""
    return "".join("\\" + char if char in "\\`*_{}[]()<>#+-.!|~" else char for char in text)


def _path_of(uri: str) -> Path | None:
    from pygls.uris import to_fs_path

    if not uri.startswith("file:"):
        return None
    path = to_fs_path(uri)
    return Path(path) if path else None


def _uri_of(path: Path) -> str:
    from pygls.uris import from_fs_path

    return from_fs_path(str(path.absolute())) or path.absolute().as_uri()


def _lang_of_locale(locale: str | None) -> str | None:
    if not locale:
        return None
    return "ja" if locale.lower().startswith("ja") else "en"


def build_server(lang: str | None = None):
    """The language server (pygls); raises ImportError without the `lsp` extra."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed_version

    from lsprotocol import types
    from pygls.lsp.server import LanguageServer

    try:
        version = installed_version("plancheck")
    except PackageNotFoundError:
        version = "unknown"

    class PlanServer(LanguageServer):
        def __init__(self) -> None:
            super().__init__(NAME, version, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
            self.lang_option = lang
            self.client_lang: str | None = None
            self.prepared: dict[Path, Prepared] = {}  # by the document's directory (its configuration)
            self.watched: set[Path] = set()  # configuration files and rulesets of those runs
            # the run and file entries in memory, one cache per ruleset (directories with the
            # same configuration share it)
            self.memory: dict[str, MemoryCache] = {}
            self.checked: dict[str, Checked] = {}
            self.pending: dict[str, asyncio.Task] = {}
            # one check at a time, off the event loop, so requests are answered meanwhile
            self.executor = ThreadPoolExecutor(1, thread_name_prefix="plancheck-check")
            self.logged: set[str] = set()
            self.lock = threading.Lock()

        # --- language and logging ---------------------------------------------------

        def lang(self, prepared: Prepared | None = None) -> str:
            from checker.cli import default_lang

            configured = prepared.settings.lang if prepared is not None else None
            return self.lang_option or self.client_lang or configured or default_lang()

        def log(self, text: str, kind: Any = None, once: bool = False) -> None:
            if once:
                if text in self.logged:
                    return
                self.logged.add(text)
            with contextlib.suppress(Exception):  # a client gone mid-message: nothing to tell
                self.window_log_message(types.LogMessageParams(type=kind or types.MessageType.Log, message=text))

        def encoding(self) -> str:
            """The position encoding agreed with the client (UTF-16 before it is)."""
            workspace = getattr(self.protocol, "_workspace", None)
            encoding = getattr(workspace, "position_encoding", None) or "utf-16"
            return str(getattr(encoding, "value", encoding))  # lsprotocol's enum, or a plain name

        # --- checking ---------------------------------------------------------------

        def prepare_for(self, path: Path) -> Prepared:
            from checker.cache import ruleset_fingerprint
            from checker.run import RunOptions, prepare

            key = path.parent
            with self.lock:
                if key not in self.prepared:
                    # a file the configuration excludes gets no diagnostics (ruff's server does the same)
                    prepared = prepare(RunOptions(paths=(str(path),), lang=self.lang_option, parallel=False,
                                                  no_cache=True, force_exclude=True))
                    settings = prepared.settings
                    fingerprint = ruleset_fingerprint(prepared.ruleset, settings.limits)
                    memory = self.memory.setdefault(fingerprint, MemoryCache(fingerprint))
                    prepared = prepared._replace(options=prepared.options._replace(cache=memory))
                    if settings.source is not None:
                        self.watched.add(Path(settings.source).absolute())
                    self.watched |= {Path(rule.source).absolute() for rule in prepared.ruleset.rules.values()
                                     if rule.source and Path(rule.source).is_file()}
                    self.prepared[key] = prepared
                return self.prepared[key]

        def reload(self) -> None:
            with self.lock:
                self.prepared.clear()
                self.memory.clear()
                self.watched.clear()
            self.log(Text("設定を読み込み直しました", "configuration reloaded").render(self.lang()))
            for uri in list(self.workspace.text_documents):
                self.schedule(uri, 0)

        def check(self, uri: str, path: Path, text: str, version: int | None, texts: dict[Path, str]):
            """Run in the executor's thread: the document checked with the open documents'
            texts; the LSP diagnostics to publish, and what code actions and hover need
            (`Checked`, whose `logs` the event loop's thread sends: only it writes to the client)."""
            from checker.config import ConfigError
            from checker.run import execute

            prepared = None
            positions = Positions(text, self.encoding())
            try:
                prepared = self.prepare_for(path)
                if not self.is_plan_document(path, text, prepared):
                    checked = Checked(version, text, [], positions, prepared)
                    checked.logs = [(Text(f"{path.name} は計画ではないため検査しません（最上位に plan がなく、計画の集まりの外です）",
                                          f"{path.name} is not a plan (no top-level plan key, outside the plan set): "
                                          "not checked").render(self.lang(prepared)), types.MessageType.Log)]
                    return checked, []
                options = prepared.options._replace(
                    paths=(str(path),), texts=tuple((str(p), t.encode("utf-8")) for p, t in texts.items()))
                result = execute(prepared._replace(options=options))
                lang = self.lang(prepared)
                logs = [("plancheck: " + note.render(lang), types.MessageType.Log) for note in result.notes]
                mine = [d for d in result.diagnostics if Path(d.file).absolute() == path.absolute()]
                published = [self.to_lsp(d, positions, texts, lang) for d in mine]
            except ConfigError as error:
                mine, logs = [], []
                published = [self.top_diagnostic(error.text(self.lang()), types.DiagnosticSeverity.Error)]
            except Exception as error:  # noqa: BLE001  # never a traceback to the client: a diagnostic and a log line
                mine = []
                problem = f"{type(error).__name__}: {error}"
                said = Text(f"plancheck の内部エラー（不具合です。報告してください）: {problem}",
                            f"plancheck internal error (a bug; please report it): {problem}").render(self.lang())
                logs = [(said, types.MessageType.Error)]
                published = [self.top_diagnostic(said, types.DiagnosticSeverity.Error)]
            checked = Checked(version, text, mine, positions, prepared)
            checked.logs = logs
            return checked, published

        def is_plan_document(self, path: Path, text: str, prepared: Prepared) -> bool:
            """Whether an open YAML document is the server's to check: not a configuration or
            ruleset of a run, and a plan by its text (a top-level `plan` key, as discovery
            decides from a file's bytes) or a file of the plan set (a plan being written there
            is told what it lacks). An editor sends every YAML file it opens (a workflow,
            .pre-commit-config.yaml, a ruleset opened before any plan): none is checked as a plan."""
            from checker.discovery import bytes_look_like_plan

            absolute = path.absolute()
            if absolute in self.watched:
                return False
            if bytes_look_like_plan(text.encode("utf-8", errors="replace")):
                return True
            return any(absolute == root.absolute() or root.absolute() in absolute.parents
                       for root in prepared.settings.plan_set_paths())

        def top_diagnostic(self, message: str, severity: Any):
            return types.Diagnostic(range=types.Range(types.Position(0, 0), types.Position(0, 1)), message=message,
                                    severity=severity, source=NAME)

        def lsp_range(self, positions: Positions, span) -> Any:
            start = positions.to_lsp(span.line, span.column)
            end = positions.to_lsp(span.end_line, span.end_column)
            return types.Range(types.Position(*start), types.Position(*end))

        def positions_of(self, file: str, texts: dict[Path, str]) -> Positions:
            path = Path(file).absolute()
            text = texts.get(path)
            if text is None:
                try:
                    text = path.read_bytes().decode("utf-8-sig", errors="replace")
                except OSError:
                    text = ""
            return Positions(text, self.encoding())

        def to_lsp(self, d: Diagnostic, positions: Positions, texts: dict[Path, str], lang: str):
            severity = {Severity.ERROR: types.DiagnosticSeverity.Error,
                        Severity.WARNING: types.DiagnosticSeverity.Warning}.get(d.severity,
                                                                               types.DiagnosticSeverity.Information)
            related = []
            for item, span in d.related:
                where = positions if Path(item.location.file).absolute() == Path(d.file).absolute() \
                    else self.positions_of(item.location.file, texts)
                related.append(types.DiagnosticRelatedInformation(
                    location=types.Location(uri=_uri_of(Path(item.location.file)), range=self.lsp_range(where, span)),
                    message=item.label.render(lang)))
            message = d.message.get(lang) or d.message.get("en", d.code)
            help_text = d.help.get(lang)
            return types.Diagnostic(
                range=self.lsp_range(positions, d.span), severity=severity, code=d.code, source=NAME,
                message=message + (f"\n{help_text}" if help_text else ""), related_information=related or None)

        def schedule(self, uri: str, delay: float) -> None:
            previous = self.pending.pop(uri, None)
            if previous is not None:
                previous.cancel()
            self.pending[uri] = asyncio.ensure_future(self.check_later(uri, delay))

        async def check_later(self, uri: str, delay: float) -> None:
            try:
                await asyncio.sleep(delay)
                path = _path_of(uri)
                if path is None or path.absolute() in self.watched or uri not in self.workspace.text_documents:
                    return  # not a file, a ruleset (not a plan), or closed since
                document = self.workspace.get_text_document(uri)
                version, text = document.version, document.source
                texts = {}
                for other in list(self.workspace.text_documents.values()):
                    other_path = _path_of(other.uri)
                    if other_path is not None:
                        texts[other_path.absolute()] = other.source
                texts[path.absolute()] = text
                loop = asyncio.get_running_loop()
                checked, published = await loop.run_in_executor(self.executor, self.check, uri, path, text,
                                                                version, texts)
                for said, kind in checked.logs:  # notes said once; errors every time
                    self.log(said, kind, once=kind == types.MessageType.Log)
                if uri not in self.workspace.text_documents or \
                        self.workspace.get_text_document(uri).version != version:
                    return  # closed, or changed since: the newer check publishes
                self.checked[uri] = checked
                self.text_document_publish_diagnostics(
                    types.PublishDiagnosticsParams(uri=uri, diagnostics=published, version=version))
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001  # never a traceback to the client
                self.log(f"plancheck: {type(error).__name__}: {error}", types.MessageType.Error)

        def current(self, uri: str) -> Checked | None:
            """The document's last check, when it is of the text the client has now."""
            checked = self.checked.get(uri)
            if checked is None or uri not in self.workspace.text_documents:
                return None
            return checked if self.workspace.get_text_document(uri).source == checked.text else None

    server = PlanServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: PlanServer, params: types.InitializeParams) -> None:
        ls.client_lang = _lang_of_locale(params.locale)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: PlanServer, params: types.InitializedParams) -> None:
        dynamic = getattr(getattr(getattr(ls.client_capabilities, "workspace", None), "did_change_watched_files",
                                  None), "dynamic_registration", False)
        if not dynamic:
            return
        watchers = [types.FileSystemWatcher(glob_pattern=pattern)
                    for pattern in ("**/plancheck.toml", "**/pyproject.toml", "**/*.yaml", "**/*.yml")]
        with contextlib.suppress(Exception):
            await ls.client_register_capability_async(types.RegistrationParams(registrations=[types.Registration(
                id="plancheck-watch", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers))]))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: PlanServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: PlanServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, DEBOUNCE_SECONDS)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: PlanServer, params: types.DidSaveTextDocumentParams) -> None:
        path = _path_of(params.text_document.uri)
        if path is not None and (path.name in CONFIGURATION_FILES or path.absolute() in ls.watched):
            ls.reload()

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: PlanServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        task = ls.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        ls.checked.pop(uri, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched_changed(ls: PlanServer, params: types.DidChangeWatchedFilesParams) -> None:
        paths = [path for path in (_path_of(change.uri) for change in params.changes) if path is not None]
        if any(path.name in CONFIGURATION_FILES or path.absolute() in ls.watched for path in paths):
            ls.reload()
        elif paths:  # a plan on disk: the context of the open ones
            for uri in list(ls.workspace.text_documents):
                ls.schedule(uri, DEBOUNCE_SECONDS)

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    def code_action(ls: PlanServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        try:
            return _code_actions(ls, params, types)
        except Exception as error:  # noqa: BLE001  # never a traceback to the client
            ls.log(f"plancheck: code action: {type(error).__name__}: {error}", types.MessageType.Error)
            return None

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: PlanServer, params: types.HoverParams) -> types.Hover | None:
        try:
            return _hover(ls, params, types)
        except Exception as error:  # noqa: BLE001  # never a traceback to the client
            ls.log(f"plancheck: hover: {type(error).__name__}: {error}", types.MessageType.Error)
            return None

    return server


def _on_lines(d: Diagnostic, first: int, last: int) -> bool:
    return d.span.line <= last and d.span.end_line >= first


def _code_actions(ls: Any, params: Any, types: Any) -> list:
    uri = params.text_document.uri
    checked = ls.current(uri)
    if checked is None:
        return []
    positions = checked.positions
    first, _ = positions.from_lsp(params.range.start.line, params.range.start.character)
    last, _ = positions.from_lsp(params.range.end.line, params.range.end.character)
    lang = ls.lang(checked.prepared)
    version = ls.workspace.get_text_document(uri).version
    actions = []
    for index, d in enumerate(checked.diagnostics):
        if not _on_lines(d, first, last):
            continue
        lsp_diagnostic = ls.to_lsp(d, positions, {}, lang)
        fix = _fix_edit(checked, d)
        if fix is not None:
            span, replacement = fix
            title = Text(f"{d.code} を修正: {replacement} と書く", f"Fix {d.code}: write {replacement}").render(lang)
            actions.append(types.CodeAction(
                title=title, kind=types.CodeActionKind.QuickFix, diagnostics=[lsp_diagnostic], is_preferred=True,
                edit=_edit(types, uri, version, ls.lsp_range(positions, span), replacement)))
        if index not in checked.suppressions:
            checked.suppressions[index] = suppression_edit(checked.text, d, PLACEHOLDER_REASON.render(lang), checked)
        suppression = checked.suppressions[index]
        if suppression is not None:
            line, column, inserted = suppression
            at = types.Position(*positions.to_lsp(line, column))
            title = Text(f"{d.code} をこの行で抑止する（理由を書く）",
                         f"Suppress {d.code} on this line (with a reason)").render(lang)
            actions.append(types.CodeAction(
                title=title, kind=types.CodeActionKind.QuickFix, diagnostics=[lsp_diagnostic],
                edit=_edit(types, uri, version, types.Range(at, at), inserted)))
    return actions


def _edit(types: Any, uri: str, version: int | None, where: Any, text: str) -> Any:
    return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
        text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
        edits=[types.TextEdit(range=where, new_text=text)])])


def _fix_edit(checked: Checked, d: Diagnostic):
    """The safe fix of `d` as (the span to replace, the text), quoted as the value was; None
    for an unsafe fix or one over several lines (`--fix` rewrites neither)."""
    from checker.fixes import scalar_text, split_lines

    if d.fix is None or not d.fix.safe or d.fix_span is None or d.fix_span.line != d.fix_span.end_line:
        return None
    lines, _ = split_lines(checked.text)
    return d.fix_span, scalar_text(lines, d.fix_span, d.fix.replacement)


def suppression_edit(text: str, d: Diagnostic, reason: str, checked: Checked | None = None) -> tuple[int, int, str] | None:
    """Where to insert a reasoned suppression of `d` in `text` and what: (line, column,
    text). At the end of the diagnostic's line (`  # plancheck: ignore[CODE] reason`), or,
    when that is no comment there (inside a scalar), as a comment line above it; each
    checked by finding the suppression in the edited text (covering the diagnostic, and
    read as a real comment) and by loading it (no new loader finding). None when neither
    works."""
    from checker.fixes import split_lines
    from checker.loader import LoadedFile, load_text
    from checker.suppressions import find_suppressions

    lines, endings = split_lines(text)
    index = d.span.line - 1
    if index >= len(lines):
        return None
    comment = f"# plancheck: ignore[{d.code}] {reason}"
    line = lines[index]
    stripped = line.rstrip()
    indent = line[:len(line) - len(line.lstrip())]
    break_ = next((ending for ending in endings if ending), "\n")
    candidates = [(d.span.line, len(stripped) + 1, ("  " if stripped else "") + comment, d.span.line),
                  (d.span.line, 1, indent + comment + break_, d.span.line + 1)]
    before = None
    for line_number, column, inserted, covered in candidates:
        at = sum(len(lines[i]) + len(endings[i]) for i in range(line_number - 1)) + column - 1
        edited = text[:at] + inserted + text[at:]
        if not any(s.covers(d.code, covered) and s.reason for s in find_suppressions(edited)):
            continue
        if before is None:
            before = checked.loaded if checked is not None and checked.loaded is not None else \
                load_text(LoadedFile(path=Path("plan.yaml"), name="plan.yaml"), text)
            if checked is not None:
                checked.loaded = before
        after = load_text(LoadedFile(path=Path("plan.yaml"), name="plan.yaml"), edited)
        if (after.model is None) != (before.model is None) or len(after.findings) > len(before.findings):
            continue
        return line_number, column, inserted
    return None


def _hover(ls: Any, params: Any, types: Any) -> Any:
    from checker.suppressions import find_suppressions

    uri = params.text_document.uri
    checked = ls.current(uri)
    if checked is None:
        return None
    line, column = checked.positions.from_lsp(params.position.line, params.position.character)
    codes: list[str] = []
    message: dict[str, str] = {}
    for d in checked.diagnostics:
        if (d.span.line, d.span.column) <= (line, column) <= (d.span.end_line, d.span.end_column) \
                and d.code not in codes:
            codes.append(d.code)
            message[d.code] = d.message.get(ls.lang(checked.prepared), "")
    for suppression in find_suppressions(checked.text):  # the codes of a suppression comment
        span = suppression.span
        if span.line == line and span.column <= column < span.end_column:
            codes += [code for code in suppression.codes if code not in codes]
    if not codes or checked.prepared is None:
        return None
    lang = ls.lang(checked.prepared)
    parts = [rule_markdown(checked.prepared.ruleset.rules[code], lang, message.get(code))
             for code in codes if code in checked.prepared.ruleset.rules]
    if not parts:
        return None
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)))


def rule_markdown(rule: Any, lang: str, message: str | None = None) -> str:
    """A rule's documentation for a hover: code, name, severity and fix, the finding's
    message, what the rule checks and why, in `lang`; the ruleset's words shown literally."""
    heads = {"ja": ("検査内容", "理由", "重大度", "自動修正"), "en": ("What it checks", "Why it matters", "Severity", "Fix")}[lang]
    fix = {"ja": {"safe": "安全な修正あり", "unsafe": "安全でない修正あり（--unsafe-fixes）", None: "なし"},
           "en": {"safe": "safe fix", "unsafe": "unsafe fix (--unsafe-fixes)", None: "none"}}[lang][rule.fix_safety]
    severity = rule.severity.label if rule.severity else "off"
    out = [f"**{_escaped(rule.code)}** {_escaped(rule.name)} · {heads[2]}: {severity} · {heads[3]}: {fix}"]
    summary = message or rule.message.get(lang)  # the finding's words, else the rule's with its placeholders
    if summary:
        out.append(_escaped(summary))
    for head, key in ((heads[0], "what"), (heads[1], "why")):
        words = rule.docs.get(key)
        if isinstance(words, dict) and words.get(lang):
            out.append(f"**{head}**: {_escaped(words[lang])}")
    return "\n\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(serve(os.environ.get("PLANCHECK_LANG")))
