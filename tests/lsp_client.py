"""A language client for the tests: `plancheck server` in a subprocess, driven over its stdio
with pygls's own LanguageClient, as an editor drives it; edits applied to the text in UTF-16
code units, independently of the server's converter."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

ROOT = Path(__file__).resolve().parent.parent


def utf16_offset(text: str, position: types.Position) -> int:
    """The character offset of an LSP position, counting UTF-16 code units (LF lines)."""
    lines = text.split("\n")
    before = sum(len(line) + 1 for line in lines[:position.line])
    line = lines[position.line]
    units = 0
    for index, char in enumerate(line):
        if units >= position.character:
            return before + index
        units += 2 if ord(char) > 0xFFFF else 1
    return before + len(line)


def utf16_column(line: str, index: int) -> int:
    """The UTF-16 column of the character at `index` (counted in Python's code points)."""
    return len(line[:index].encode("utf-16-le")) // 2


def apply(text: str, edits: list[types.TextEdit]) -> str:
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start, end = utf16_offset(text, edit.range.start), utf16_offset(text, edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
    return text


class Client:
    """The server started in `cwd`; diagnostics as they are published, by URI."""

    def __init__(self, cwd: Path, locale: str = "en", args: tuple[str, ...] = (),
                 encodings: list[str] | None = None, command: tuple[str, ...] = (sys.executable, "-m", "checker"),
                 env: dict[str, str] | None = None) -> None:
        """`command`: what starts plancheck (`server` and `args` follow); `env`: the
        server's environment (by default this one, with this checkout on PYTHONPATH)."""
        self.cwd, self.locale, self.args, self.encodings = cwd, locale, args, encodings
        self.command, self.env = command, env
        self.client = LanguageClient("plancheck-tests", "1")
        self.published: asyncio.Queue[types.PublishDiagnosticsParams] = asyncio.Queue()
        self.logs: list[str] = []
        self.versions: dict[str, int] = {}

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def publish(params: types.PublishDiagnosticsParams) -> None:
            self.published.put_nowait(params)

        @self.client.feature(types.WINDOW_LOG_MESSAGE)
        def log(params: types.LogMessageParams) -> None:
            self.logs.append(params.message)

    async def start(self) -> None:
        env = {**(self.env if self.env is not None else {**os.environ, "PYTHONPATH": str(ROOT)}),
               "PLANCHECK_CACHE_DIR": str(self.cwd / ".cache")}
        await self.client.start_io(*self.command, "server", *self.args, cwd=str(self.cwd), env=env)
        await self.client.initialize_async(types.InitializeParams(
            capabilities=types.ClientCapabilities(general=types.GeneralClientCapabilities(
                position_encodings=self.encodings) if self.encodings else None),
            root_uri=self.cwd.as_uri(), locale=self.locale))
        self.client.initialized(types.InitializedParams())

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()

    async def diagnostics(self, uri: str, timeout: float = 60) -> tuple[int | None, list[types.Diagnostic]]:
        """The next diagnostics published for `uri` (others are dropped)."""
        while True:
            params = await asyncio.wait_for(self.published.get(), timeout)
            if params.uri == uri:
                return params.version, list(params.diagnostics)

    def open(self, path: Path, text: str) -> str:
        uri = path.absolute().as_uri()
        self.versions[uri] = 1
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)))
        return uri

    def change(self, uri: str, edits: list[types.TextEdit]) -> None:
        """The edits sent as incremental changes, one after the other (bottom first)."""
        self.versions[uri] += 1
        changes = [types.TextDocumentContentChangePartial(range=edit.range, text=edit.new_text)
                   for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character),
                                      reverse=True)]
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            content_changes=changes))

    def replace(self, uri: str, text: str) -> None:
        self.versions[uri] += 1
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))

    async def actions(self, uri: str, diagnostic: types.Diagnostic) -> list[types.CodeAction]:
        result = await self.client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic])))
        return [action for action in result or [] if isinstance(action, types.CodeAction)]

    async def hover(self, uri: str, position: types.Position) -> types.Hover | None:
        return await self.client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=position))

    def files_changed(self, *paths: Path) -> None:
        self.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
            types.FileEvent(uri=path.absolute().as_uri(), type=types.FileChangeType.Changed) for path in paths]))


def edits_of(action: types.CodeAction) -> list[types.TextEdit]:
    assert action.edit is not None and action.edit.document_changes
    edits: list[types.TextEdit] = []
    for change in action.edit.document_changes:
        assert isinstance(change, types.TextDocumentEdit)
        edits += [edit for edit in change.edits if isinstance(edit, types.TextEdit)]
    return edits
