"""The command line's own messages (not the rules'), in Japanese and English.

Rule messages live in the rulesets; these are what the CLI and the run (`checker/run.py`,
whose notes the CLI prints) say on stderr. Each is a `Text`; `message` fills one in both
languages at once (an argument that is itself a `Text` is filled in per language).
`tests/test_messages.py` fails if any lacks a language or the two disagree on their
placeholders.
"""

from __future__ import annotations

from checker.diagnostics import Text, render_arg

MESSAGES: dict[str, Text] = {
    "internal_error": Text(
        ja="内部エラー: {error}",
        en="internal error: {error}",
    ),
    "report_it": Text(
        ja="原因となったファイルを添えて報告してください（PLANCHECK_DEBUG=1 でトレースバックを表示します）",
        en="please report this with the file that caused it (PLANCHECK_DEBUG=1 shows the traceback)",
    ),
    "write_failed": Text(
        ja="レポートを書き出せませんでした: {error}",
        en="could not write the report: {error}",
    ),
    "output_failed": Text(
        ja="{path} に書き出せませんでした: {error}",
        en="could not write {path}: {error}",
    ),
    "output_written": Text(
        ja="{format} の報告を {path} に書き出しました（{size}）",
        en="wrote the {format} report to {path} ({size})",
    ),
    "output_unknown_format": Text(
        ja="{path} の形式が分かりません。拡張子（{suffixes}）で示すか、FORMAT:PATH（例: html:{path}）と書くか、--format を指定してください",
        en="cannot tell the format of {path}: give it an extension ({suffixes}), write FORMAT:PATH (html:{path}), "
           "or give --format",
    ),
    "output_twice": Text(
        ja="{path} が出力先として 2 回指定されています",
        en="{path} is named as an output twice",
    ),
    "output_is_input": Text(
        ja="{path} は検査する計画ファイルです。報告で上書きしません",
        en="{path} is a plan file being checked; a report is not written over it",
    ),
    "output_binary": Text(
        ja="{format} の報告はファイルにだけ書き出せます: -o で書き出し先を指定してください（例: -o checked.{format}）",
        en="the {format} report is written to a file only: give it with -o (-o checked.{format})",
    ),
    "output_with_diff": Text(
        ja="--output-file は --diff と同時に使えません（--diff は報告を出さず差分だけを表示します）",
        en="--output-file cannot be used with --diff (--diff prints the diff, not a report)",
    ),
    "daemon_started": Text(
        ja="常駐プロセスを起動しました（pid {pid}、{minutes} 分間実行がなければ終了します）。plancheck の実行はこのプロセスが引き受けます",
        en="started the resident process (pid {pid}; it ends after {minutes} minutes without a run); plancheck runs are "
           "handed to it",
    ),
    "daemon_already": Text(
        ja="常駐プロセスはすでに動いています（pid {pid}）",
        en="the resident process is already running (pid {pid})",
    ),
    "daemon_status": Text(
        ja="常駐プロセスが動いています: pid {pid}、{started} から、{served} 回実行、実行中 {running}、ソケット {socket}",
        en="the resident process is running: pid {pid}, since {started}, {served} runs served, {running} running, "
           "socket {socket}",
    ),
    "daemon_none": Text(
        ja="常駐プロセスは動いていません（plancheck はその都度このプロセスで実行します）",
        en="no resident process is running (each plancheck run runs in its own process)",
    ),
    "daemon_stopped": Text(
        ja="常駐プロセスを終了しました（pid {pid}）",
        en="stopped the resident process (pid {pid})",
    ),
    "daemon_unsupported": Text(
        ja="この環境では常駐プロセスを使えません（fork と SO_PEERCRED のある Linux が必要です）",
        en="the resident process is not available here (it needs Linux: fork and SO_PEERCRED)",
    ),
    "daemon_failed": Text(
        ja="常駐プロセスを起動できませんでした: {error}",
        en="could not start the resident process: {error}",
    ),
    "daemon_lost": Text(
        ja="常駐プロセスが実行の途中で終了しました。出力は不完全かもしれず、終了コードは分かりません",
        en="the resident process ended during the run; its output may be incomplete and its exit status is "
           "not known",
    ),
    "interrupted": Text(
        ja="中断しました（SIGINT）。検査は終わっていません",
        en="interrupted (SIGINT): the check did not finish",
    ),
    "terminated": Text(
        ja="SIGTERM を受けて停止しました。検査は終わっていません",
        en="stopped by SIGTERM: the check did not finish",
    ),
    "workers_unused": Text(
        ja="PLANCHECK_WORKERS の値 {value} は 1 以上の整数ではないため使いません（プロセス数は {cores}）",
        en="PLANCHECK_WORKERS={value} is not a whole number from 1, so it is not used ({cores} process(es))",
    ),
    "worker_died": Text(
        ja="検査用のプロセスが異常終了したため、返らなかった {files} ファイルを1つずつ検査し直しました",
        en="a worker process ended abruptly: the {files} file(s) it did not bring back were checked again, one at a time",
    ),
    "config_error": Text(
        ja="設定の誤り: {error}",
        en="configuration error: {error}",
    ),
    "no_such_path": Text(
        ja="ファイルまたはディレクトリがありません: {path}",
        en="no such file or directory: {path}",
    ),
    "no_plan_files": Text(
        ja="警告: {paths} に計画ファイル（最上位に plan: がある *.yaml, *.yml）がありません",
        en="warning: no plan files (*.yaml, *.yml with a top-level plan:) under {paths}",
    ),
    "not_in_plan_set": Text(
        ja="{files} 件の計画ファイルは設定の plan-sets のどの計画セットにも入っていません。文書をまたぐルールはそれぞれを単独で検査しました",
        en="{files} plan file(s) lie in none of the configuration's plan-sets: the rules across documents checked each on its own",
    ),
    "not_plans_skipped": Text(
        ja="計画ファイルでない YAML ファイル（最上位に plan: がないもの）{files} 件は検査しませんでした（--show-files で一覧します）",
        en="skipped {files} YAML file(s) that are not plans (no top-level plan:); --show-files lists them",
    ),
    "baseline_with_fix": Text(
        ja="--write-baseline は指摘をそのまま記録します。--fix や --diff とは一緒に使えません",
        en="--write-baseline records the findings as they are; it cannot be combined with --fix or --diff",
    ),
    "baseline_written": Text(
        ja="{findings} 件の指摘をベースライン {path} に記録しました（--baseline {path} で新しい指摘だけを報告します）",
        en="recorded {findings} finding(s) in the baseline {path} (--baseline {path} reports only new ones)",
    ),
    "baseline_not_written": Text(
        ja="ベースライン {path} を書けませんでした: {error}",
        en="could not write the baseline {path}: {error}",
    ),
    "baseline_listed": Text(
        ja="ベースライン {path} にある {findings} 件の指摘は報告していません",
        en="{findings} finding(s) listed in the baseline {path} not reported",
    ),
    "not_fixed": Text(
        ja="修正しませんでした: {problem}",
        en="not fixed: {problem}",
    ),
    "fix_outside_project": Text(
        ja="{path} はプロジェクトの外（{target}）を指しているため書き換えません",
        en="{path} resolves outside the project (to {target}); it is not written",
    ),
    "fix_not_regular": Text(
        ja="{path} は通常のファイルではないため書き換えません",
        en="{path} is not a regular file; it is not written",
    ),
    "fix_read_only": Text(
        ja="{path} は読み取り専用です（書き込み権限がありません）。書き換えません",
        en="{path} is read-only (no write permission); it is not written",
    ),
    "fix_hard_links": Text(
        ja="{path} には {links} 個のハードリンクがあります。置き換えるとリンクが分かれるため書き換えません",
        en="{path} has {links} hard links; replacing it would split them, so it is not written",
    ),
    "fix_owner": Text(
        ja="{path} の所有者を保てないため書き換えません",
        en="{path} could not keep its owner; it is not written",
    ),
    "fix_changed": Text(
        ja="{path} は検査の後に変更または置き換えられました。何も書き込んでいません",
        en="{path} changed or was replaced since it was checked; nothing was written",
    ),
    "fix_interrupted": Text(
        ja="{path} の書き込みは中断されました。ファイルは元のままです",
        en="the write of {path} was interrupted; the file is as it was",
    ),
    "would_fix": Text(
        ja="--fix は {files} ファイルの {values} 個の値を書き換えます",
        en="--fix would rewrite {values} value(s) in {files} file(s)",
    ),
    "fixed": Text(
        ja="{files} ファイルの {values} 個の値を修正しました",
        en="fixed {values} value(s) in {files} file(s)",
    ),
    "fixes_available": Text(
        ja="自動修正できる値: 安全な修正 {safe} 件（--fix）、印刷された数値を書き換える修正 {unsafe} 件（--fix --unsafe-fixes）",
        en="fixes available: {safe} safe (--fix), {unsafe} that rewrite a printed figure (--fix --unsafe-fixes)",
    ),
    "unsafe_not_applied": Text(
        ja="印刷された数値を書き換える修正 {unsafe} 件は適用していません（原資料と照合し、正しければ --unsafe-fixes で適用できます）",
        en="{unsafe} fix(es) not applied: they rewrite a printed figure (compare with the source; --unsafe-fixes applies them)",
    ),
    "no_rule": Text(
        ja="ルール {code} はありません{hint}",
        en="no rule {code}{hint}",
    ),
    "options_after_command": Text(
        ja="オプションはコマンドの後に書きます: {command}",
        en="options go after the command: {command}",
    ),
    "stdin_alone": Text(
        ja="`-`（標準入力）は単独で指定します。ファイル名は --stdin-filename で渡します",
        en="`-` (standard input) is the only path when given; name its file with --stdin-filename",
    ),
    "did_you_mean": Text(
        ja="（{candidate} の誤りではありませんか）",
        en=" (did you mean {candidate}?)",
    ),
    "init_exists": Text(
        ja="{path} はすでにあります。上書きしません（別のパスを指定してください）",
        en="{path} already exists; it is not overwritten (name another path)",
    ),
    "init_failed": Text(
        ja="{path} を書き出せませんでした: {error}",
        en="could not write {path}: {error}",
    ),
    "init_written": Text(
        ja="{kind} のひな形を {path} に書き出しました。原資料の値に書き換え、plancheck {path} で検査してください",
        en="wrote a {kind} starter to {path}; replace its values with the source's and check it with plancheck {path}",
    ),
    "cache_refused": Text(
        ja="キャッシュを使いません: {reason}。キャッシュなしで続けます",
        en="cache not used: {reason}; going on without it",
    ),
    "cache_key_untrusted": Text(
        ja="キャッシュの鍵を信用しません: {reason}。この実行だけの鍵を使います（chmod go-w で直せます）",
        en="cache key not trusted: {reason}; using a key for this run only (chmod go-w fixes it)",
    ),
    "cache_holds_project": Text(
        ja="{path} はプロジェクトのルートかその上のディレクトリです",
        en="{path} is the project's root or a directory above it",
    ),
    "cache_holds_plans": Text(
        ja="{path} には計画ファイルがあります（{plan}）",
        en="{path} contains plan files ({plan})",
    ),
    "cache_foreign_file": Text(
        ja="{path} は plancheck のキャッシュのファイルではありません",
        en="{path} is not a file of plancheck's cache",
    ),
    "unsafe_symlink": Text(
        ja="{path} はシンボリックリンクです",
        en="{path} is a symbolic link",
    ),
    "unsafe_not_directory": Text(
        ja="{path} はディレクトリではありません",
        en="{path} is not a directory",
    ),
    "unsafe_not_regular": Text(
        ja="{path} は通常のファイルではありません",
        en="{path} is not a regular file",
    ),
    "unsafe_owner": Text(
        ja="{path} は別のユーザーのものです",
        en="{path} belongs to another user",
    ),
    "unsafe_writable": Text(
        ja="{path} はグループか他のユーザーが書き込めます",
        en="{path} is writable by its group or by others",
    ),
}


def message(key: str, **args: object) -> Text:
    """One message of the table, filled in, in both languages."""
    template = MESSAGES[key]
    return Text(*(getattr(template, lang).format(**{name: render_arg(value, lang) for name, value in args.items()})
                  for lang in ("ja", "en")))


def phrase(key: str, lang: str, **args: object) -> str:
    return message(key, **args).render(lang)


def line(text: Text, lang: str) -> str:
    """A message as printed: in `lang`, prefixed with the program's name as on every line
    plancheck prints to stderr."""
    return "plancheck: " + text.render(lang)


def say(key: str, lang: str, **args: object) -> str:
    """One message of the table, filled in and prefixed, in `lang`."""
    return line(message(key, **args), lang)
