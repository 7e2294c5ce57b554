"""A generator of realistic synthetic plan corpora, for plancheck's speed benchmark.

    python bench/corpus.py OUT_DIR --files N [--seed S] [--cross N] [--faults] [--config]

writes N plan files under OUT_DIR (OUT_DIR/<municipality>/<document>/<part>.yaml, the layout
of plans/), the same files for the same N and seed. From Python:

    from bench.corpus import generate
    paths = generate(Path("/tmp/corpus"), files=2000, seed=0)

The corpus is modelled on plans/: per municipality one 施策評価 (policy evaluation, one theme
per file, sometimes a second year's evaluation of some themes), one 中期実行プラン (execution
plan, one policy per file), usually one 総合戦略 進捗 (strategy progress, one goal per file),
often a statistics file, sometimes 課題シート (issue sheets) and an activity plan. Values are
written as the real files write them (quoted comma numbers, 千円, 75.4%, 令和4年度, quoted
six-digit codes, 前年度比減, 4以上, "53 [※2]", comments beside values).

Every indicator is drawn from one per-municipality registry of quantities, each with one
yearly series, so the documents that share a key (the execution plan, the evaluations and
the strategy, as in plans/kodaira) agree on baselines, actuals, targets and units, and
cross-document rules have real work and nothing to report. Totals are the sums of their
items, rates are actual/target at the stated precision, outlook counts count the items,
(内数) parents are the sums of their components, statistics tables satisfy the relations
they declare, (累計) series never decrease.

About 2 % of the files (round(N × 0.02), chosen by the seed among the files that can carry
one) carry exactly one realistic inconsistency, each reported by one rule:

    policy evaluation   TOT002 (total off by 1: per-item rounding), TOT001 (total leaves out
                        one item), RATE001 (a rate a step off, neither rounded nor truncated)
    execution plan      YEAR001 (one year's target cell left empty)
    strategy progress   CMP001 (a (内数) parent off its components' sum in one year)
    statistics          TAB001 (a 合計 row off in one column), TAB002 (a ratio off by a step)

`generate(..., faults=N)` adds N inconsistencies across documents of one municipality,
each at a statement that follows, in file-name order, one of the same key in another
document (so the finding is at the changed file, and no other file's bytes change):

    XDOC001   the strategy's 実績 for the plans' baseline year off the other documents'
    XDOC002   the evaluation's final-year target off the execution plan's, unmarked
    UNIT004   the evaluation's unit of a count other than the execution plan's

`generate()` returns the paths in generation order (a `Corpus`, a list) with `faults`:
every inconsistency, per-file and cross-document, as (path, code, line, cross); the
cross-document ones have the line of the changed value. `FAULTS` (module global, filled by
the last call) maps each file with a per-file inconsistency to its code.

Keys are the municipality's (`<slug>/<indicator>`): documents of one city share them,
two cities never do, so each `plans/<municipality>/` is an independent plan set
(`write_config`: `plan-sets = ["plans/*"]` where plancheck has the option).

The standard library only (plancheck itself for `write_config`); plain string templates.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import NamedTuple

FAULT_SHARE = 0.02
FAULT_WEIGHTS = {"policy_evaluation": 2}
FAULTS: dict[Path, str] = {}

# --------------------------------------------------------------------------------------
# Years and scalars


def fy(year: int) -> str:
    """Fiscal year as printed: 2022 -> 令和4年度, 2019 -> 令和元年度, 2018 -> 平成30年度."""
    if year >= 2019:
        n = year - 2018
        return "令和元年度" if n == 1 else f"令和{n}年度"
    n = year - 1988
    return "平成元年度" if n == 1 else f"平成{n}年度"


def cy(year: int) -> str:
    """Calendar year as printed in a statistics header: 平成30年, 令和元年."""
    return fy(year)[:-1]


def era_no(year: int) -> str:
    """The era number used in document ids: 2022 -> 4 (r4), 2019 -> 1."""
    return str(year - 2018) if year >= 2019 else f"h{year - 1988}"


_NEEDS_QUOTES = re.compile(r"[,\[\]{}#&*!|>'\"%@`]|: |:$|^[-?:~\s]|\s$")
_NUMERIC_LOOKING = re.compile(r"^[-+]?[\d.,]+$")
_RESERVED = {"", "null", "Null", "NULL", "true", "false", "True", "False", "yes", "no", "on", "off", "~"}


def q(text: str) -> str:
    """A YAML scalar for free text, quoted only when plain style would misread it (also
    inside flow mappings)."""
    if text in _RESERVED or _NEEDS_QUOTES.search(text) or _NUMERIC_LOOKING.match(text) or text in ("—", "-"):
        return json.dumps(text, ensure_ascii=False)
    return text


def dq(text: str) -> str:
    if '"' in text or "\\" in text:
        return json.dumps(text, ensure_ascii=False)
    return f'"{text}"'


D0 = Decimal(0)
HUNDRED = Decimal(100)


def dec(value: float, places: int) -> Decimal:
    return Decimal(f"{value:.{places}f}")


def rhu(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def digits(value: Decimal, places: int) -> str:
    """7412808 -> 7,412,808; 73.25 (places 1) -> 73.3 is not done here: value is exact."""
    text = f"{value:,.{places}f}"
    return text


def num(value: Decimal, places: int, comma: bool = True, suffix: str = "") -> str:
    """A number as a YAML scalar the way the real files write it: "8,345" quoted, 46
    bare, 27.0 bare, "6,697人" quoted, 74.3% bare."""
    text = digits(value, places)
    if not comma:
        text = text.replace(",", "")
    text += suffix
    return dq(text) if "," in text else text


def ymap(pairs: list[tuple[int, str]]) -> str:
    return "{" + ", ".join(f"{fy(year)}: {value}" for year, value in pairs) + "}"


# --------------------------------------------------------------------------------------
# Content: policy areas with their indicators and projects (modelled on plans/kodaira)

# An indicator template: slug, name, unit, base, places, form, yearly trend.
# form: num (numeric targets), cum (累計), pct (a percentage with numeric targets),
# survey (世論調査: targets only in the last year), lower (前年度比減 / 前年以下),
# same (a number, then 前年比同程度), bound (N以上)
Tmpl = tuple[str, str, "str | None", float, int, str, float]


@dataclass(frozen=True)
class AreaDef:
    slug: str
    title: str              # the evaluation theme's title
    policy_title: str       # the execution plan's policy title
    departments: tuple[str, ...]
    accounts: tuple[tuple[str, int, int, int], ...]   # (fund prefix, 款, 項, 目 max)
    stems: tuple[str, ...]  # project names without their 事業 suffix
    indicators: tuple[Tmpl, ...]


AREAS: tuple[AreaDef, ...] = (
    AreaDef("gender-equality", "男女共同参画社会の実現", "多様性を尊重する地域社会の実現",
            ("市民協働・男女参画推進課", "産業振興課", "文化スポーツ課"),
            (("", 2, 1, 12), ("", 2, 1, 10)),
            ("男女共同参画推進", "男女共同参画センター", "女性相談", "女性再就職サポート", "国際交流", "多文化共生推進",
             "性的少数者支援", "人権啓発", "平和啓発", "ワーク・ライフ・バランス推進", "配偶者暴力対策", "外国人相談窓口"),
            (("gender-equality-awareness-events", "男女共同参画に関する啓発等の企画数", "件", 15, 0, "num", 0.06),
             ("womens-consultations", "女性相談等延べ件数", "件", 1234, 0, "num", 0.05),
             ("gender-equality-realized-citizen-ratio", "男女共同参画社会が実現されていると思う市民の割合(世論調査)", "%", 27.0, 1, "survey", 0.04),
             ("international-exchange-participants", "国際交流事業への参加者数", "人", 850, 0, "num", 0.04),
             ("foreign-resident-consultations", "外国人相談窓口の相談件数", "件", 420, 0, "num", 0.03))),
    AreaDef("disability", "障がい者の自立に向けた支援の充実", "障がい者の自立と社会参加の推進",
            ("障がい者支援課", "子育て支援課"),
            (("", 3, 1, 6), ("", 3, 4, 4)),
            ("障害者自立支援給付費", "障害者福祉施設管理", "障害支援区分認定等", "心身障害者（児）日常生活用具給付", "移動支援",
             "コミュニケーション支援", "相談支援・地域活動支援センター", "福祉タクシー利用料金補助", "障害者就労支援",
             "心身障害者（児）短期入所補助", "障がい児療育", "心身障害者福祉手当等支給", "重度脳性麻痺者介護", "福祉バス運行",
             "在宅生活促進", "社会参加促進"),
            (("employment-transition-users", "就労移行支援の実利用者数", "人/月", 46, 0, "num", 0.12),
             ("residential-service-users", "居住系サービスの実利用者数", "人/月", 344, 0, "num", 0.03),
             ("consultation-support-users", "相談支援（計画相談支援・地域移行支援等）の実利用者数", "人/月", 282, 0, "num", 0.04),
             ("group-home-capacity", "グループホームの定員数", "人", 180, 0, "num", 0.05),
             ("sign-language-interpreter-dispatches", "手話通訳者の派遣件数", "件", 560, 0, "num", 0.02))),
    AreaDef("community-support", "地域で支え合う仕組みづくり", "地域共生社会の実現に向けた支援体制の充実",
            ("生活支援課", "地域福祉推進課", "福祉総務課"),
            (("", 3, 1, 2), ("", 3, 3, 2)),
            ("地域福祉計画推進", "民生委員・児童委員活動支援", "社会福祉協議会補助", "生活困窮者自立相談支援", "住居確保給付金",
             "子どもの学習支援", "成年後見制度利用支援", "権利擁護センター運営", "避難行動要支援者支援", "生活保護扶助費",
             "地域福祉コーディネーター配置", "重層的支援体制整備"),
            (("self-reliance-consultations", "自立相談支援の新規相談件数", "件", 980, 0, "num", 0.02),
             ("welfare-volunteers-registered", "福祉ボランティアの登録者数（累計）", "人", 1250, 0, "cum", 0.05),
             ("community-salons", "地域サロンの設置箇所数", "箇所", 32, 0, "num", 0.05),
             ("guardianship-consultations", "成年後見制度に関する相談件数", "件", 310, 0, "num", 0.04))),
    AreaDef("integrated-care", "地域包括ケアシステムの推進", "地域包括ケアシステムの推進",
            ("高齢者支援課", "地域包括ケア推進担当"),
            (("", 3, 2, 5), ("介", 3, 1, 3), ("介", 3, 2, 2)),
            ("高齢者住宅運営", "高齢者緊急一時保護", "高齢者救急代理通報システム", "高齢者訪問給食サービス", "介護予防・フレイル予防推進員配置",
             "認知症ケアプログラム推進", "高齢者館運営", "老人クラブ補助", "訪問型サービス", "通所型サービス", "介護予防ケアマネジメント",
             "地域介護予防活動支援", "地域包括支援センター運営", "認知症総合支援", "在宅医療・介護連携推進", "生活支援体制整備",
             "認知症高齢者見守り", "家族介護教室"),
            (("frailty-prevention-weekly-groups", "週1回以上フレイル予防に取り組むグループ数", "グループ", 18, 0, "num", 0.25),
             ("care-prevention-watch-volunteers-registered", "介護予防見守りボランティアの登録者数（累計）", "人", 411, 0, "cum", 0.1),
             ("dementia-cafe-sites", "認知症カフェの実施箇所数", "箇所", 8, 0, "num", 0.15),
             ("dementia-supporters", "認知症サポーター養成講座の受講者数（累計）", "人", 12500, 0, "cum", 0.06))),
    AreaDef("long-term-care", "介護保険制度の円滑な運営", "介護保険制度の持続的な運営",
            ("介護保険課", "高齢者支援課"),
            (("介", 1, 1, 1), ("介", 1, 3, 1), ("介", 2, 1, 4), ("介", 2, 2, 2)),
            ("介護保険事務", "介護認定審査会運営", "居宅介護サービス給付", "施設介護サービス給付", "地域密着型介護サービス給付",
             "介護予防サービス給付", "高額介護サービス費", "特定入所者介護サービス費", "ケアプラン点検", "介護人材確保",
             "介護給付適正化", "住宅改修費支給"),
            (("care-certification-rate", "要介護認定率", "%", 17.8, 1, "lower", -0.01),
             ("care-plan-checks", "ケアプラン点検の実施件数", "件", 120, 0, "num", 0.08),
             ("care-worker-trainees", "介護人材育成研修の受講者数", "人", 240, 0, "num", 0.05),
             ("benefit-notices", "介護給付費通知の送付件数", "件", 9800, 0, "same", 0.0))),
    AreaDef("childcare", "子育て支援の充実", "子どもが健やかに育つ環境づくり",
            ("子育て支援課", "保育課", "家庭支援担当", "健康推進課"),
            (("", 3, 3, 4), ("", 3, 4, 4)),
            ("保育所運営", "私立保育園運営費補助", "認証保育所運営費補助", "一時預かり", "病児・病後児保育", "学童クラブ運営",
             "児童館運営", "子育てふれあい広場", "ファミリー・サポート・センター", "子ども家庭支援センター運営", "乳児家庭全戸訪問",
             "養育支援訪問", "児童手当支給", "子ども医療費助成", "ひとり親家庭自立支援"),
            (("childcare-capacity", "市内保育施設等における保育定員", "人", 6697, 0, "num", 0.02),
             ("waiting-children", "保育園の待機児童数", "人", 45, 0, "lower", -0.2),
             ("gakudo-club-capacity", "学童クラブの定員数", "人", 1220, 0, "num", 0.03),
             ("kosodate-hiroba-users", "子育てふれあい広場の利用者数", "人", 10517, 0, "num", 0.02),
             ("family-support-provider-members", "ファミリー・サポート・センターの提供会員登録数", "人", 409, 0, "num", 0.02))),
    AreaDef("education", "学校教育の充実", "確かな学力と豊かな心を育む教育の推進",
            ("教育総務課", "学務課", "指導課", "教育施設担当"),
            (("", 10, 1, 3), ("", 10, 2, 3), ("", 10, 3, 3)),
            ("小学校施設維持管理", "中学校施設維持管理", "学校給食", "就学援助", "特別支援教育推進", "教育相談", "ICT教育推進",
             "英語教育推進", "学校図書館運営", "スクールソーシャルワーカー配置", "適応指導教室運営", "校舎改築", "学校体育館空調設備整備"),
            (("school-ict-lessons", "ICTを活用した授業の実施率", "%", 62.5, 1, "pct", 0.05),
             ("truancy-support-rate", "不登校児童・生徒への支援率", "%", 80.0, 1, "pct", 0.02),
             ("school-lunch-local-produce", "学校給食における地場産物の使用割合", "%", 18.4, 1, "pct", 0.03),
             ("school-support-volunteers", "学校支援ボランティアの登録者数", "人", 620, 0, "num", 0.03))),
    AreaDef("lifelong-learning", "生涯学習の推進", "学び合い、つながる生涯学習の推進",
            ("生涯学習推進課", "中央図書館", "中央公民館"),
            (("", 10, 4, 4), ("", 10, 5, 2)),
            ("図書館資料整備", "図書館運営", "公民館運営", "公民館講座", "生涯学習推進", "市民大学", "文化財保護", "郷土資料館運営",
             "読書活動推進", "青少年健全育成"),
            (("library-loans", "図書館の貸出冊数", "冊", 1650000, 0, "num", 0.01),
             ("kominkan-users", "公民館の利用者数", "人", 420000, 0, "num", 0.02),
             ("lifelong-learning-participation-ratio", "生涯学習に取り組んでいる市民の割合(世論調査)", "%", 45.6, 1, "survey", 0.03),
             ("citizen-college-graduates", "市民大学の修了者数（累計）", "人", 2300, 0, "cum", 0.05))),
    AreaDef("sports", "スポーツ・文化の振興", "スポーツ・文化に親しむまちづくり",
            ("文化スポーツ課", "スポーツ振興担当"),
            (("", 10, 5, 3), ("", 10, 6, 2)),
            ("市民総合体育館維持管理", "市民文化会館維持管理", "スポーツ推進委員", "市民スポーツ大会", "地域スポーツクラブ支援",
             "文化振興", "文化事業", "運動施設維持管理", "障がい者スポーツ推進"),
            (("weekly-sports-ratio", "週1回以上スポーツをする市民の割合(世論調査)", "%", 50.6, 1, "survey", 0.03),
             ("gym-users", "市民総合体育館の利用者数", "人", 385000, 0, "num", 0.02),
             ("sports-volunteers-registered", "スポーツボランティアの登録者数", "人", 140, 0, "num", 0.05),
             ("cultural-hall-occupancy", "市民文化会館の稼働率", "%", 73.2, 1, "pct", 0.01))),
    AreaDef("diverse-actors", "多様な主体による地域づくり", "多様な主体との協働によるまちづくり",
            ("市民協働・男女参画推進課", "地域振興課"),
            (("", 2, 1, 10), ("", 2, 1, 11)),
            ("市民活動支援センター運営", "協働推進", "地域集会所維持管理", "自治会活動補助", "地域振興", "人材バンク運営",
             "市民提案型協働", "地域担当職員"),
            (("civic-groups-registered", "市民活動支援センターの登録団体数", "団体", 180, 0, "num", 0.03),
             ("jinzai-registrations", "人材バンクの個人登録数", "件", 39, 0, "num", 0.12),
             ("community-council-districts", "地域連携のための会議等の開催地区数", "地区", 3, 0, "bound", 0.0),
             ("collaboration-projects", "市民との協働事業数", "件", 64, 0, "num", 0.04))),
    AreaDef("safety", "安全・安心なまちづくり", "災害に強く安全・安心なまちの実現",
            ("防災危機管理課", "地域安全課"),
            (("", 9, 1, 5), ("", 2, 1, 15)),
            ("防災対策", "防災行政無線維持管理", "備蓄物資整備", "自主防災組織育成", "総合防災訓練", "消防団運営", "防犯対策",
             "防犯カメラ設置補助", "交通安全対策", "消費生活相談", "国民保護"),
            (("voluntary-disaster-prevention-organizations", "自主防災組織の組織数", "団体", 88, 0, "num", 0.03),
             ("traffic-accidents", "市内の交通事故発生件数", "件", 259, 0, "lower", -0.05),
             ("crimes-reported", "刑法犯認知件数", "件", 1180, 0, "lower", -0.04),
             ("disaster-drill-participants", "総合防災訓練の参加者数", "人", 2950, 0, "num", 0.03))),
    AreaDef("environment", "環境と共生するまちづくり", "脱炭素社会の実現に向けた取組の推進",
            ("環境政策課",),
            (("", 4, 1, 8),),
            ("環境保全推進", "地球温暖化対策", "環境学習推進", "住宅用新エネルギー機器等普及促進補助", "公害対策", "環境測定",
             "省エネルギー推進", "公共施設再生可能エネルギー導入"),
            (("co2-emissions", "市域の二酸化炭素排出量", "千t-CO2", 689.0, 1, "lower", -0.02),
             ("solar-subsidies", "住宅用太陽光発電設備設置補助件数（累計）", "件", 520, 0, "cum", 0.07),
             ("environmental-classes", "環境学習講座の開催回数", "回", 24, 0, "num", 0.05))),
    AreaDef("recycling", "資源循環型社会の形成", "ごみの減量と資源循環の推進",
            ("資源循環課",),
            (("", 4, 2, 4),),
            ("ごみ収集", "資源物収集", "ごみ減量推進", "リサイクルセンター運営", "粗大ごみ処理", "生ごみ減量化推進",
             "食物資源循環", "ごみ処理施設組合負担金"),
            (("waste-per-capita", "排出物原単位(1人1日あたりのごみと資源物の総量)", "ｇ", 689.0, 1, "lower", -0.02),
             ("recycling-rate", "総資源化率", "%", 38.5, 1, "pct", 0.01),
             ("food-recycling-households", "食物資源循環事業への参加世帯", "世帯", 1246, 0, "same", 0.0))),
    AreaDef("greenery", "水と緑の保全と活用", "水と緑を守り育てるまちづくり",
            ("水と緑と公園課",),
            (("", 8, 5, 3),),
            ("公園維持管理", "公園整備", "緑化推進", "樹林地保全", "用水路維持管理", "街路樹維持管理", "緑地保全基金積立",
             "公園アダプト制度"),
            (("green-satisfaction-ratio", "緑に恵まれていると思う市民の割合(世論調査)", "%", 87.4, 1, "survey", 0.0),
             ("park-adopt-participants", "公園等管理におけるアダプト制度の参加者数", "人", 101, 0, "num", 0.05),
             ("street-trees", "街路樹の本数", "本", 5200, 0, "num", 0.01))),
    AreaDef("urban-development", "快適な都市空間の形成", "魅力ある都市空間の形成",
            ("都市計画課", "建築指導課", "住宅政策課"),
            (("", 8, 4, 3), ("", 8, 6, 1)),
            ("都市計画", "まちづくり推進", "駅周辺整備", "木造住宅耐震化促進", "空き家対策", "市営住宅維持管理",
             "景観形成推進", "土地区画整理"),
            (("earthquake-retrofit-grants", "木造住宅耐震改修助成件数（累計）", "件", 160, 0, "cum", 0.08),
             ("vacant-house-consultations", "空き家相談件数", "件", 75, 0, "num", 0.05),
             ("urban-plan-workshops", "まちづくり協議会の開催回数", "回", 12, 0, "num", 0.05))),
    AreaDef("roads-transport", "道路・交通環境の整備", "安全で快適な道路・交通環境の整備",
            ("道路課", "公共交通課", "交通対策課"),
            (("", 8, 2, 3), ("", 8, 3, 1)),
            ("道路維持補修", "道路新設改良", "都市計画道路整備", "交通安全施設整備", "コミュニティバスの運行", "コミュニティタクシーの運行",
             "駐輪場維持管理", "橋りょう維持管理", "道路照明LED化", "総合的な交通体系整備支援"),
            (("community-bus-passengers", "コミュニティバスの利用者数", "人", 620000, 0, "num", 0.02),
             ("barrier-free-sidewalks", "バリアフリー化された歩道の延長", "km", 42.5, 1, "num", 0.02),
             ("bicycle-parking-capacity", "駐輪場の収容台数", "台", 9800, 0, "num", 0.01))),
    AreaDef("commerce-tourism", "産業振興と観光の推進", "にぎわいと活力のあるまちづくり",
            ("産業振興課", "観光まちづくり担当"),
            (("", 7, 1, 3),),
            ("創業支援", "商店街振興", "中小企業融資あっせん", "観光まちづくり推進", "観光協会補助", "産業まつり", "地域ブランド推進",
             "キャッシュレス決済推進", "事業者支援給付金", "就労支援"),
            (("business-startups", "創業支援による創業者数", "人", 35, 0, "num", 0.06),
             ("tourism-visitors", "観光イベントの来場者数", "人", 180000, 0, "num", 0.03),
             ("shopping-street-events", "商店街イベントの開催回数", "回", 48, 0, "num", 0.03))),
    AreaDef("agriculture", "都市農業の振興", "都市農業の振興と農地の保全",
            ("産業振興課", "農業委員会事務局"),
            (("", 6, 1, 3),),
            ("農業振興", "農業委員会運営", "援農ボランティア育成", "農産物直売所支援", "市民農園運営", "学校給食地場産物供給",
             "農地保全", "体験農園補助"),
            (("farmland-area", "市内の農地面積", "ha", 167.3, 1, "num", -0.01),
             ("direct-sales-outlets", "農産物直売所の数", "箇所", 85, 0, "num", 0.01),
             ("farm-experience-participants", "農業体験の参加者数", "人", 1350, 0, "num", 0.04))),
    AreaDef("health", "健康づくりの推進", "生涯を通じた健康づくりの推進",
            ("健康推進課", "保険年金課"),
            (("", 4, 1, 5), ("国", 1, 1, 3)),
            ("がん検診", "予防接種", "健康診査", "成人歯科健診", "健康ポイント", "母子保健", "特定健康診査",
             "特定保健指導", "保健センター維持管理", "食育推進", "自殺対策"),
            (("cancer-screening-rate", "がん検診の受診率", "%", 20.5, 1, "pct", 0.04),
             ("specific-health-checkup-rate", "特定健康診査の受診率", "%", 50.6, 1, "pct", 0.02),
             ("health-points-participants", "健康ポイント事業の参加者数", "人", 2300, 0, "num", 0.08))),
    AreaDef("municipal-management", "持続可能な行財政運営", "持続可能な行財政運営の推進",
            ("政策課", "財政課", "行政経営課", "情報政策課", "職員課", "総務課", "市民課", "収納課", "契約検査課"),
            (("", 2, 1, 9), ("", 2, 2, 3), ("", 2, 3, 2)),
            ("総合計画推進", "行政評価", "財政運営", "庁舎維持管理", "情報システム運用", "自治体DX推進", "職員研修", "人事管理",
             "文書管理", "広報", "広聴", "市税賦課", "市税徴収", "住民基本台帳", "戸籍", "契約", "公共施設マネジメント",
             "ふるさと納税推進", "統計調査", "選挙管理", "監査", "議会運営"),
            (("online-procedures", "オンラインで申請できる手続数", "件", 120, 0, "num", 0.15),
             ("ordinary-balance-ratio", "経常収支比率", "%", 92.7, 1, "lower", -0.005),
             ("newsletter-readers-ratio", "市報を読んでいる市民の割合(世論調査)", "%", 73.2, 1, "survey", 0.0),
             ("tax-collection-rate", "市税の徴収率", "%", 98.6, 1, "pct", 0.001))),
)
AREA_BY_SLUG = {area.slug: area for area in AREAS}

SUFFIXES = ("事業", "事業", "事業", "運営事業", "推進事業", "補助事業", "支援事業", "管理事業", "整備事業")
OUTLOOKS = ("拡大", "改善", "維持", "縮小", "廃止")
OUTLOOK_WEIGHTS = (9, 4, 80, 4, 3)
ROMAN = "ⅠⅡⅢⅣⅤⅥ"
ROMAN_ASCII = ("I", "II", "III", "IV", "V", "VI")
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
REASONS = {
    "順調に成果が上がっている": "各指標とも目標を上回る実績となり、取組が着実に進んだことから、順調に成果が上がっていると評価しました。",
    "一定の成果が上がっている": "一部の指標で目標に届かなかったものの、主要な事業を計画どおり実施できたことから、一定の成果が上がっていると評価しました。",
    "一部の成果が上がっている": "新型コロナウイルス感染症の影響等により一部の指標で目標を達成できなかったものの、取組の一部で成果が見られたため、一部の成果が上がっていると評価しました。",
    "成果が上がっていない": "指標がいずれも目標を下回ったことから、成果が上がっていないと評価しました。取組の見直しを進めます。",
}
EXTRA_SUMMARIES = ("関係機関との連携強化", "講座・研修会の開催", "広報誌の発行", "相談体制の充実", "事業効果の検証",
                   "対象者の拡大", "ICTを活用した手続の簡素化", "地域団体への補助", "利用者アンケートの実施", "担い手の育成")
SUMMARIES = ("の実施", "の推進", "の拡充", "の見直し", "の継続実施", "に係る計画策定", "の試行実施", "の全域展開", "の周知・啓発")

# 総合戦略: goals, their 数値目標 and measure groups. A group names the registry area its
# KPIs may share keys with, and holds its own strategy-only KPI templates and measures.
STRATEGY_GOALS: tuple[tuple[str, str, tuple[Tmpl, ...], tuple[tuple[str, str | None, tuple[Tmpl, ...], tuple[str, ...]], ...]], ...] = (
    ("living-environment", "住み続けたいまちの空間をつくる",
     (("settlement-intention-ratio", "小平市に住み続けたいと思う市民の割合", "%", 78.5, 1, "survey", 0.01),),
     (("農のあるまちづくりの推進", "agriculture",
       (("agri-volunteers-cumulative", "援農ボランティアの登録者数", "人", 40, 0, "cum", 0.1),),
       ("市内農家の収入増に向けた取組の支援", "地産地消の促進", "農業体験機会の充実", "援農ボランティアの育成")),
      ("緑と水辺の魅力向上", "greenery",
       (("greenway-events", "グリーンロードを活用したイベント数", "件", 6, 0, "num", 0.1),),
       ("用水路の保全と活用", "公園の魅力向上", "緑化の推進")),
      ("安全で快適な住環境の整備", "urban-development",
       (("housing-renovation-grants", "住宅リフォーム助成件数", "件", 55, 0, "num", 0.04),),
       ("空き家の利活用", "耐震化の促進", "駅周辺のまちづくり", "良好な住環境の保全")),
      ("移動しやすいまちの実現", "roads-transport",
       (("bus-stops-with-shelters", "上屋のあるバス停留所数", "箇所", 22, 0, "num", 0.05),),
       ("公共交通の充実", "自転車利用環境の整備", "歩きやすい道路空間の整備")))),
    ("marriage-childbirth-childcare", "若い世代の結婚・出産・子育ての希望をかなえる",
     (("childcare-environment-satisfaction", "地域における子育ての環境や支援への満足度", "%", 63.5, 1, "survey", 0.02),
      ("total-fertility-rate", "合計特殊出生率", None, 1.40, 2, "num", 0.0)),
     (("結婚の希望をかなえる", None,
       (("matchmaking-exchanges-cumulative", "出会いの創出による交流数", "件", 30, 0, "cum", 0.3),),
       ("出会いの創出による交流をつくる",)),
      ("妊娠・出産期からの支援体制の充実", None,
       (("child-rearing-support-centers", "子育て世代包括支援センターの設置数", "箇所", 1, 0, "cum", 0.0),
        ("prenatal-class-participants", "ハローベビークラスの参加者数", "人", 820, 0, "num", 0.01)),
       ("子育てに関する総合的な支援体制の整備", "妊婦健康診査の充実", "ハローベビークラス事業の充実", "乳児家庭全戸訪問の充実",
        "養育支援訪問の充実")),
      ("子育て支援サービス・保育環境の充実", "childcare",
       (("jidokan-users", "児童館の利用者数", "人", 109367, 0, "num", 0.03),),
       ("保育環境の充実", "子育てふれあい広場事業の充実", "一時預かり事業の充実", "学童クラブ事業の充実", "児童館運営事業の充実")),
      ("子育てにおける多様な支援の充実", None,
       (("childcare-info-site-accesses-cumulative", "子育て情報発信サイトのアクセス数", "件", 17420, 0, "cum", 0.3),),
       ("子育てに関する情報発信の推進", "地域における子育て活動への支援", "ファミリー・サポート・センター事業の推進")),
      ("学びの環境の充実", "education", (),
       ("ICT教育環境の整備", "特別支援教育の推進", "地域とともにある学校づくり")))),
    ("community-strength", "地域の力を高める",
     (("community-activity-participation-ratio", "地域活動に参加している市民の割合", "%", 32.4, 1, "survey", 0.01),),
     (("市民活動の活性化", "diverse-actors",
       (("civic-center-users", "市民活動拠点の利用者数", "人", 15200, 0, "num", 0.03),),
       ("市民活動支援センターの充実", "地域の担い手の育成", "協働事業の推進", "自治会加入促進")),
      ("地域防災力の向上", "safety",
       (("disaster-leaders-cumulative", "防災リーダー養成講座の修了者数", "人", 120, 0, "cum", 0.1),),
       ("自主防災組織の育成", "避難所運営体制の整備", "防災意識の啓発")),
      ("生涯学習・スポーツの推進", "sports",
       (("sports-events-participants", "市民スポーツ大会の参加者数", "人", 6800, 0, "num", 0.02),),
       ("市民大学の充実", "地域スポーツクラブの支援", "図書館サービスの充実")),
      ("健康で安心して暮らせる地域づくり", "integrated-care",
       (("health-salon-sites", "健康づくりサロンの箇所数", "箇所", 24, 0, "num", 0.05),),
       ("介護予防の推進", "認知症施策の推進", "見守りネットワークの充実", "地域の居場所づくり")))),
    ("jobs", "しごとをつくり、働く場を広げる",
     (("business-establishments", "市内事業所数", "事業所", 5900, 0, "num", 0.0),),
     (("創業・起業の支援", "commerce-tourism",
       (("startup-seminar-participants", "創業セミナーの受講者数", "人", 95, 0, "num", 0.05),),
       ("創業支援事業計画の推進", "インキュベーション施設の運営支援", "創業者のネットワークづくり")),
      ("商業の活性化と観光の推進", None,
       (("tourism-association-members", "観光まちづくり協会の会員数", "団体", 140, 0, "num", 0.03),
        ("regional-brand-items", "地域ブランド認定品数", "品", 48, 0, "cum", 0.05)),
       ("商店街の魅力向上", "観光資源の発掘と発信", "地域ブランドの育成")),
      ("多様な働き方の支援", None,
       (("job-fair-hires", "就職面接会による就職者数", "人", 60, 0, "num", 0.04),),
       ("就労支援の充実", "女性の再就職支援", "テレワークの推進")))),
)

VOLUNTEER_PARTS = (
    ("park-adopt-volunteers", "公園等管理におけるアダプト制度", "水と緑と公園課"),
    ("watch-volunteers", "介護予防見守りボランティア", "地域包括ケア推進担当"),
    ("sports-volunteers", "スポーツボランティア", "スポーツ振興担当"),
    ("library-volunteers", "図書館ボランティア", "中央図書館"),
)

PROGRESS = ("実施済", "実施済", "実施済", "実施済", "一部実施", "未実施")

# Municipality names: fictional, from common place-name parts.
NAME_HEADS = (("東", "higashi"), ("西", "nishi"), ("南", "minami"), ("北", "kita"), ("新", "shin"), ("大", "o"),
              ("小", "ko"), ("上", "kami"), ("下", "shimo"), ("中", "naka"), ("若", "waka"), ("高", "taka"),
              ("青", "ao"), ("緑", "midori"), ("桜", "sakura"), ("白", "shira"), ("松", "matsu"), ("清", "kiyo"))
NAME_TAILS = (("山", "yama"), ("川", "kawa"), ("田", "ta"), ("野", "no"), ("原", "hara"), ("沢", "sawa"),
              ("浜", "hama"), ("岡", "oka"), ("島", "shima"), ("井", "i"), ("崎", "saki"), ("森", "mori"),
              ("谷", "ya"), ("橋", "hashi"), ("里", "sato"), ("瀬", "se"))


_AREA_TABLES: dict[str, tuple[list[str], list[str], list[tuple[str, int, int, int]]]] = {}


def _area_tables(area: AreaDef) -> tuple[list[str], list[str], list[tuple[str, int, int, int]]]:
    """An area's project names (stem + suffix), its main names (stem + 事業) and its budget
    accounts (款-項-目), computed once."""
    if area.slug not in _AREA_TABLES:
        names = [stem + suffix for stem in area.stems for suffix in dict.fromkeys(SUFFIXES)]
        primary = [stem + "事業" for stem in area.stems]
        accounts = [(fund, kan, kou, moku) for fund, kan, kou, moku_max in area.accounts
                    for moku in range(1, moku_max + 1)]
        _AREA_TABLES[area.slug] = (names, primary, accounts)
    return _AREA_TABLES[area.slug]


# --------------------------------------------------------------------------------------
# The registry of quantities


@dataclass
class Quantity:
    key: str
    name: str
    unit: str | None
    places: int
    form: str
    values: dict[int, Decimal | None]       # observed, by fiscal year (None: not observed)
    targets: dict[int, Decimal]             # numeric targets S..S+3 (num, cum, pct, same: S only)
    strategy_target: Decimal                # the strategy's end-of-period target (S-1)
    reset_target: Decimal | None = None     # a revised S+3 target (later documents, marked)
    relative: str = ""                      # 前年度比減 / 前年以下 for form lower
    bound: int = 0
    department: str = ""
    comma: bool = True

    @property
    def cumulative(self) -> bool:
        return self.form == "cum"


def nice(value: float, places: int, up: bool = False) -> Decimal:
    """A target as plans state them: round numbers at the value's magnitude."""
    if places > 0:
        step = 0.5 if value >= 30 else 0.1
    else:
        m = abs(value)
        step = 1 if m < 30 else 5 if m < 300 else 10 if m < 3000 else 50 if m < 30000 else 500 if m < 300000 else 5000
    units = value / step
    n = math.ceil(units - 1e-9) if up else round(units)
    return dec(n * step, places)


def make_quantity(rng: random.Random, key: str, tmpl: Tmpl, start: int, department: str) -> Quantity:
    """One quantity with its series from S-7 (a strategy's baseline) to S+3 (the end of the
    plan period S..S+3); the plans' baseline year is S-1."""
    _, name, unit, base, places, form, trend = tmpl
    first, last = start - 7, start + 3
    if form in ("pct", "survey") or unit == "%":
        scale = rng.uniform(0.9, 1.08)
    elif base < 5:
        scale = rng.uniform(0.9, 1.1)
    else:
        scale = rng.uniform(0.6, 1.6)
    b = base * scale
    values: dict[int, Decimal | None] = {}
    if form == "cum":
        v0 = b * rng.uniform(0.3, 0.7) if b > 3 else 0.0
        inc = (b - v0) / 6
        running = v0
        for year in range(first, last + 1):
            values[year] = dec(running, places)
            running += inc * rng.uniform(0.4, 1.6)
        if base <= 1:  # a facility count: 0 … then 1
            for year in range(first, last + 1):
                values[year] = Decimal(0 if year < start - 1 else 1)
    elif form == "bound":
        b = max(2, round(b))
        for year in range(first, last + 1):
            values[year] = Decimal(max(1, b + rng.choice((-1, 0, 0, 1, 1, 2)) if year >= start else b))
    else:
        g = trend + rng.gauss(0, 0.01)
        for year in range(first, last + 1):
            v = b * (1 + g) ** (year - (start - 1)) * (1 + (rng.gauss(0, 0.04) if year != start - 1 else 0))
            if form in ("pct", "survey") or unit == "%":
                v = min(max(v, 0.5), 99.4)
            if form == "same":
                v = b * (1 + rng.gauss(0, 0.01))
            values[year] = dec(max(v, 1.0 if places == 0 else 0.1), places)
        if form == "survey":
            for year in range(first, last + 1):
                if (start - 1 - year) % 2 or year >= start:
                    values[year] = None
    # targets for the plan period
    baseline = values[start - 1] or Decimal(1)
    targets: dict[int, Decimal] = {}
    gt = (trend + (0.02 if trend >= 0 else -0.005)) if form != "cum" else 0.0
    previous = baseline
    for year in range(start, last + 1):
        if form == "cum":
            t = nice(float(values[year] or 0) * rng.uniform(1.0, 1.1), places, up=True)
            t = max(t, previous)
        else:
            t = nice(float(baseline) * (1 + gt) ** (year - start + 1), places)
        if t <= 0:
            t = Decimal(1).scaleb(-places)
        if unit == "%" and t > Decimal("99.5"):
            t = Decimal("99.5")
        targets[year] = t
        previous = t
    if form == "survey":
        targets[last] = nice(float(baseline) * rng.uniform(1.02, 1.12), places)
        if targets[last] >= 100:
            targets[last] = Decimal("95.0")
    if form == "same":
        targets = {start: nice(float(baseline) * 1.02, places)}
    if form == "bound":
        targets = {}
    # the strategy's end-of-period target
    early = values[first] if values[first] is not None else baseline
    st = nice(float(baseline) * rng.uniform(0.98, 1.15), places, up=form == "cum")
    if form == "cum":
        st = max(st, early or D0)
    if st <= 0:
        st = Decimal(1).scaleb(-places)
    quantity = Quantity(key, name, unit, places, form, values, targets, st, department=department,
                        comma=rng.random() < 0.85)
    if form == "lower":
        quantity.relative = rng.choice(("前年度比減", "前年度比減", "前年以下", "前年度以下"))
    if form == "bound":
        quantity.bound = int(values[start - 1] or 3) + 1
    if form in ("num", "cum", "pct") and rng.random() < 0.22:
        old = targets[last]
        new = nice(float(old) * rng.choice((0.85, 0.9, 1.1, 1.2, 1.3)), places)
        if new != old and new > 0:
            quantity.reset_target = new
    return quantity


# --------------------------------------------------------------------------------------
# Files


@dataclass
class FileSpec:
    rel: str                                  # path under OUT_DIR
    kind: str                                 # policy_evaluation | execution_plan | ...
    render: Callable[[str | None], str]       # fault code or None -> text
    faults: tuple[str, ...] = ()              # the fault codes this file can carry
    position: float = 0.0                     # for interleaving the documents' parts


@dataclass
class Doc:
    plan_id: str
    title: str
    municipality: str
    kind: str
    seed_name: str
    period: tuple[int, int] | None = None
    as_of: int | None = None
    extra_header: str = ""
    line: int = 1
    comma: bool = True
    rate_places: int = 1

    def header(self) -> str:
        lines = ["plan:", f"  id: {self.plan_id}", f"  title: {q(self.title)}", f"  municipality: {self.municipality}",
                 f"  kind: {self.kind}"]
        if self.period:
            lines.append(f"  period: {{start: {fy(self.period[0])}, end: {fy(self.period[1])}}}")
        if self.as_of is not None:
            lines.append(f"  as_of: {fy(self.as_of)}")
        lines += ["  source:", f"    seed: {self.seed_name}"]
        if self.extra_header:
            lines.append(self.extra_header.rstrip("\n"))
        return "\n".join(lines) + "\n"

    def lines(self, rng: random.Random, low: int, high: int) -> tuple[int, int]:
        first = self.line + rng.randint(1, 6)
        last = first + rng.randint(low, high)
        self.line = last + 1
        return first, last


@dataclass
class Item:
    no: int
    name: str
    department: str
    account: str
    code: str
    cost: Decimal | None
    outlook: str
    main: bool = False
    restated: bool = False
    comment: str = ""


@dataclass
class Theme:
    number: int
    goal: str
    policy: int
    area: AreaDef
    quantities: list[Quantity]
    items: list[Item]
    lines: tuple[int, int]
    project_lines: tuple[int, int]
    restated_in_total: bool = True
    with_counts: bool = True


class Municipality:
    """One municipality's documents, built in memory; files render on demand."""

    def __init__(self, index: int, seed: int, name: str, slug: str) -> None:
        self.rng = random.Random(f"plancheck-bench:{seed}:{index}")
        self.name, self.slug = name, slug
        rng = self.rng
        self.start = rng.choice((2021, 2021, 2022, 2023))
        self.seeds = iter(range(rng.randint(0, 40) * 5, 10_000))
        self.registry: dict[str, list[Quantity]] = {}
        for area in AREAS:
            self.registry[area.slug] = [
                make_quantity(rng, f"{slug}/{t[0]}", t, self.start, rng.choice(area.departments)) for t in area.indicators
            ]
        self.codes: dict[str, int] = {}
        # (file, plan id, quantity): where each registry quantity is stated, for the
        # cross-document faults; and the faults chosen, by (plan id, key)
        self.stated: list[tuple[str, str, Quantity]] = []
        self.cross: dict[tuple[str, str], tuple[str, int | None, Decimal | str]] = {}
        self.evaluation_id = ""
        self.files: list[FileSpec] = []
        areas = list(AREAS)
        rng.shuffle(areas)
        n_themes = rng.randint(9, 17)
        self.theme_areas = areas[:n_themes]
        if AREA_BY_SLUG["municipal-management"] not in self.theme_areas and rng.random() < 0.7:
            self.theme_areas[-1] = AREA_BY_SLUG["municipal-management"]
        self.theme_areas.sort(key=AREAS.index)
        self.build_evaluations()
        self.build_execution_plan()
        self.shared_keys = {quantity.key.rsplit("/", 1)[1] for theme in self.themes for quantity in theme.quantities}
        if rng.random() < 0.8:
            self.build_strategy()
        if rng.random() < 0.7:
            self.build_statistics()
        if rng.random() < 0.3:
            self.build_issue_sheets()
        if rng.random() < 0.25:
            self.build_activity_plan()

    # --- helpers ----------------------------------------------------------------------
    def seed_name(self) -> str:
        return f"{next(self.seeds):03d}_{self.rng.getrandbits(64):016x}.txt"

    def add(self, docfiles: list[FileSpec]) -> None:
        n = len(docfiles)
        for j, spec in enumerate(docfiles):
            spec.position = (j + 0.5) / n + self.rng.random() * 1e-6
        self.files.extend(docfiles)

    def new_code(self, fund: str, kan: int, kou: int, moku: int) -> str:
        head = {"": 0, "介": 70, "後": 75, "国": 80}[fund] + kan
        prefix = f"{head:02d}{kou % 10}{moku % 10}"
        n = self.codes.get(prefix, int(self.rng.random() * 30)) + 1 + int(self.rng.random() * 4)
        if n > 99:
            prefix = f"{head:02d}{(kou + 5) % 10}{moku % 10}"
            n = self.codes.get(prefix, 0) + 1
        self.codes[prefix] = n
        return f"{prefix}{n:02d}"

    # --- cross-document faults --------------------------------------------------------
    def cross_candidates(self) -> dict[str, list[tuple[str, str, Quantity, int | None, Decimal | str]]]:
        """Where one of this municipality's documents can disagree with another, by the
        code that reports it: (file, plan id, quantity, year, the value written instead).
        Each is a statement that follows, in file-name order, a statement of the same key
        in another document (the one plancheck compares it with), so that the finding is
        at the changed file and nowhere else:

            XDOC001  the strategy's 実績 for the plans' baseline year (S-1) off the execution
                     plan's or the evaluation's baseline (a figure copied wrong)
            XDOC002  the evaluation's final-year target off the execution plan's, with no
                     reset mark (a target changed without saying so)
            UNIT004  the evaluation's unit for a count other than the execution plan's"""
        s = self.start
        by_key: dict[str, list[tuple[str, str, Quantity]]] = {}
        for rel, plan_id, quantity in sorted(self.stated, key=lambda stated: stated[0]):
            by_key.setdefault(quantity.key, []).append((rel, plan_id, quantity))
        found: dict[str, list[tuple[str, str, Quantity, int | None, Decimal | str]]] = {
            "XDOC001": [], "XDOC002": [], "UNIT004": []}
        for statements in by_key.values():
            ids = [plan_id for _, plan_id, _ in statements]
            if len(ids) != len(set(ids)):
                continue  # a key stated twice in one document: DOC001's, not a clean place
            first_rel, first_id, quantity = statements[0]
            unit_step = Decimal(1).scaleb(-quantity.places)
            if "/execution-plan/" not in first_rel and "/policy-evaluation-" not in first_rel:
                continue
            baseline = quantity.values[s - 1]
            for rel, plan_id, _ in statements[1:]:
                if "/strategy-progress-" in rel and baseline is not None and plan_id != first_id:
                    step = unit_step * (1 + int(self.rng_for(rel).random() * 9))
                    wrong = baseline + step if quantity.unit != "%" or baseline + step <= 100 else baseline - step
                    found["XDOC001"].append((rel, plan_id, quantity, s - 1, wrong))
            if "/execution-plan/" not in first_rel:
                continue
            for rel, plan_id, _ in statements[1:]:
                if plan_id != self.evaluation_id:
                    continue
                if quantity.form in ("num", "cum", "pct") and quantity.reset_target is None:
                    target = quantity.targets[s + 3]
                    wrong = target + unit_step if quantity.unit != "%" or target + unit_step <= Decimal("99.5") \
                        else target - unit_step
                    found["XDOC002"].append((rel, plan_id, quantity, s + 3, wrong))
                if quantity.unit and quantity.unit != "%" and quantity.places == 0:
                    found["UNIT004"].append((rel, plan_id, quantity, None, "件" if quantity.unit != "件" else "人"))
        return found

    def rng_for(self, rel: str) -> random.Random:
        """A generator of its own for a fault's details, so that choosing faults never
        changes what the rest of the corpus draws."""
        return random.Random(f"plancheck-bench-cross:{rel}")

    # --- policy evaluation ------------------------------------------------------------
    def make_items(self, area: AreaDef, count: int) -> list[Item]:
        rng = self.rng
        names, primary, accounts = _area_tables(area)
        names, primary = names[:], primary[:]
        rng.shuffle(names)
        rng.shuffle(primary)
        ordered = list(dict.fromkeys(primary + names))
        items = []
        chosen = sorted(accounts[int(rng.random() * len(accounts))] for _ in range(count))
        for i in range(count):
            name = ordered[i % len(ordered)]
            if i >= len(ordered):
                name = name.replace("事業", f"事業（その{i // len(ordered) + 1}）", 1) if "事業" in name else name
            fund, kan, kou, moku = chosen[i]
            cost: Decimal | None = Decimal(int(math.exp(rng.gauss(8.6, 1.9))))
            if cost > 9_000_000:
                cost = Decimal(rng.randint(3_000_000, 9_000_000))
            r = rng.random()
            if r < 0.03:
                cost = D0
            elif r < 0.04:
                cost = None
            items.append(Item(i + 1, name, rng.choice(area.departments), f"{fund}{kan}-{kou}-{moku}",
                              self.new_code(fund, kan, kou, moku), cost,
                              rng.choices(OUTLOOKS, OUTLOOK_WEIGHTS)[0]))
        return items

    def build_evaluations(self) -> None:
        rng, s = self.rng, self.start
        doc = Doc(f"{self.slug}-policy-evaluation-r{era_no(s + 1)}", f"{self.name} 施策評価（{fy(s + 1)}）", self.name,
                  "policy_evaluation", self.seed_name(), (s, s + 3), s + 1, comma=rng.random() < 0.85,
                  rate_places=rng.choices((1, 0, 2), (90, 7, 3))[0])
        themes: list[Theme] = []
        goal, policy = 0, 0
        for number, area in enumerate(self.theme_areas, start=1):
            if number == 1 or rng.random() < 0.3:
                goal += 1
                policy += 1
            elif rng.random() < 0.5:
                policy += 1
            k = rng.randint(2, min(4, len(self.registry[area.slug])))
            quantities = self.registry[area.slug][:k]
            if area.slug == "municipal-management":
                count = rng.randint(80, 215)
            else:
                count = max(5, min(120, int(math.exp(rng.gauss(3.62, 0.5)))))
            lines = doc.lines(rng, 150 + count * 3, 250 + count * 5)
            theme = Theme(number, ROMAN[min(goal - 1, 5)], policy, area, quantities, self.make_items(area, count),
                          lines, (lines[0] + 100, lines[1] - 20))
            themes.append(theme)
        # 【再掲】: a few themes list again a project of an earlier theme
        for theme in themes[1:]:
            if rng.random() < 0.25:
                source = rng.choice(themes[: themes.index(theme)])
                original = rng.choice(source.items)
                if original.restated:
                    continue
                copy = Item(0, original.name, original.department, original.account, original.code, original.cost,
                            original.outlook, restated=True,
                            comment=f"printed {original.name}【再掲】; original: テーマ {source.number} no {original.no}")
                position = rng.randint(0, len(theme.items))
                theme.items.insert(position, copy)
                for no, item in enumerate(theme.items, start=1):
                    item.no = no
                theme.restated_in_total = False
        self.themes = themes
        self.evaluation_id = doc.plan_id
        files = []
        for theme in themes:
            rel = f"{self.slug}/policy-evaluation-r{era_no(s + 1)}/theme-{theme.number:02d}-{theme.area.slug}.yaml"
            self.stated.extend((rel, doc.plan_id, quantity) for quantity in theme.quantities)
            files.append(FileSpec(rel, "policy_evaluation", self.theme_renderer(doc, theme, rng.random()),
                                  ("TOT002", "TOT001", "RATE001")))
        self.add(files)
        # a second year's evaluation of some themes (the same keys, one more year of actuals)
        if rng.random() < 0.3:
            doc2 = Doc(f"{self.slug}-policy-evaluation-r{era_no(s + 2)}", f"{self.name} 施策評価（{fy(s + 2)}）", self.name,
                       "policy_evaluation", self.seed_name(), (s, s + 3), s + 2, comma=doc.comma,
                       rate_places=doc.rate_places)
            files = []
            for theme in rng.sample(themes, k=min(len(themes), rng.randint(4, 8))):
                items = [Item(item.no, item.name, item.department, item.account, item.code,
                              None if item.cost is None else Decimal(int(item.cost * Decimal(rng.uniform(0.85, 1.15)))),
                              rng.choices(OUTLOOKS, OUTLOOK_WEIGHTS)[0]) for item in theme.items if not item.restated]
                for no, item in enumerate(items, start=1):
                    item.no = no
                lines = doc2.lines(rng, 150 + len(items) * 3, 250 + len(items) * 5)
                theme2 = Theme(theme.number, theme.goal, theme.policy, theme.area, theme.quantities, items, lines,
                               (lines[0] + 100, lines[1] - 20))
                rel = f"{self.slug}/policy-evaluation-r{era_no(s + 2)}/theme-{theme.number:02d}-{theme.area.slug}.yaml"
                self.stated.extend((rel, doc2.plan_id, quantity) for quantity in theme.quantities)
                files.append(FileSpec(rel, "policy_evaluation", self.theme_renderer(doc2, theme2, rng.random()),
                                      ("TOT002", "TOT001", "RATE001")))
            files.sort(key=lambda spec: spec.rel)
            self.add(files)

    def eval_rate(self, quantity: Quantity, year: int, places: int) -> Decimal | None:
        """The achievement rate as the document computes it (None: printed "-")."""
        v = quantity.values
        actual = v.get(year)
        if actual is None:
            return None
        form = quantity.form
        if form in ("num", "cum", "pct"):
            return rhu(actual / quantity.targets[year] * HUNDRED, places)
        if form == "bound":
            return rhu(actual / Decimal(quantity.bound) * HUNDRED, places)
        if form == "lower":
            previous = v[year - 1]
            return rhu(previous / actual * HUNDRED, places) if previous else None
        if form == "same":
            if year == self.start:
                return rhu(actual / quantity.targets[year] * HUNDRED, places)
            previous = v[year - 1]
            return rhu(actual / previous * HUNDRED, places) if previous else None
        return None

    def theme_renderer(self, doc: Doc, theme: Theme, salt: float) -> Callable[[str | None], str]:
        def render(fault: str | None) -> str:
            rng = random.Random(f"{doc.plan_id}:{theme.number}:{salt}")
            return self.render_theme(doc, theme, fault, rng)
        return render

    def render_theme(self, doc: Doc, theme: Theme, fault: str | None, rng: random.Random) -> str:
        s, as_of, rp = self.start, doc.as_of or self.start + 1, doc.rate_places
        area = theme.area
        heading = f"基本目標 {theme.goal} － 方針 {theme.policy} － テーマ {theme.number}"
        a, b = theme.lines
        cut = [a + round((b - a) * f) for f in (0.08, 0.11, 0.2, 0.27, 0.3, 0.92, 0.96)]
        out = [f"# {doc.title}: {heading} {area.title}\n",
               f"# Source: seed {doc.seed_name}, lines {a}-{b}. The extraction prints each page\n",
               f"# roughly bottom-up: 成果/課題 ({a}-{cut[0]}), CHECK ({cut[0] + 2}-{cut[1]}), indicators ({cut[1] + 2}-{cut[2]}), title and\n",
               f"# 取組の方針 ({cut[2] + 2}-{cut[3]}), PLAN heading ({cut[3] + 2}-{cut[4]}), project list ({cut[4] + 1}-{cut[5]}), list header\n",
               f"# ({cut[5] + 2}-{cut[6]}), ACTION ({cut[6] + 2}-{b}). From line {b + 1} on the text belongs to テーマ {theme.number + 1}.\n"]
        if rng.random() < 0.7:
            page = 20 + theme.number * 2
            out.append(f"# 第1期中期実行プラン（{fy(self.start)[:-2]}4年2月）掲載ページ: {page}・{page + 1} (line {cut[2] + 3}).\n")
        out.append(doc.header())
        out.append("\nthemes:\n")
        out.append(f"  - id: {ROMAN_ASCII[ROMAN.index(theme.goal)]}-{theme.policy}-{theme.number}"
                   f"                           # 基本目標 {theme.goal} － 方針 {theme.policy} － テーマ {theme.number}\n")
        out.append(f"    numbering: {{goal: {theme.goal}, policy: {theme.policy}, theme: {theme.number}}}\n")
        out.append(f"    title: {q(area.title)}\n")
        out.append(f"    source: {{heading: \"{heading}\", lines: [{theme.lines[0]}, {theme.lines[1]}]}}\n")
        # indicators, with rates; a RATE001 fault changes one stated rate
        rate_fault = None
        if fault == "RATE001":
            candidates = [(i, y) for i, quantity in enumerate(theme.quantities) for y in range(s, as_of + 1)
                          if self.eval_rate(quantity, y, rp) is not None]
            if candidates:
                rate_fault = rng.choice(candidates)
            else:
                fault = "TOT001"
        footnotes: dict[str, str] = {}
        body = []
        stated_rates: list[Decimal] = []
        for i, quantity in enumerate(theme.quantities):
            lines, rate = self.render_eval_indicator(doc, quantity, i + 1, as_of, rp, rate_fault[1] if rate_fault and rate_fault[0] == i else None, footnotes, rng)
            body.extend(lines)
            if rate is not None:
                stated_rates.append(rate)
        reached = sum(1 for rate in stated_rates if rate >= HUNDRED)
        if not stated_rates:
            assessment = rng.choice(("一定の成果が上がっている", "順調に成果が上がっている"))
        elif reached == len(stated_rates):
            assessment = rng.choice(("順調に成果が上がっている", "順調に成果が上がっている", "一定の成果が上がっている"))
        elif reached * 2 >= len(stated_rates):
            assessment = rng.choice(("一定の成果が上がっている", "一定の成果が上がっている", "一部の成果が上がっている", "順調に成果が上がっている"))
        elif reached == 0:
            assessment = rng.choice(("一部の成果が上がっている", "一定の成果が上がっている", "成果が上がっていない"))
        else:
            assessment = rng.choice(("一部の成果が上がっている", "一定の成果が上がっている"))
        out.append(f"    assessment: {assessment}     # 目標達成度合い (line {theme.lines[0] + rng.randint(20, 60)})\n")
        out.append(f"    assessment_reason: {q(REASONS[assessment])}\n")
        if footnotes:
            out.append("    footnotes:\n")
            for mark, text in footnotes.items():
                out.append(f"      {dq(mark)}: {q(text)}\n")
        elif rng.random() < 0.5:
            out.append("    footnotes: {}                         # no value of this theme carries a footnote mark\n")
        out.append("    indicators:\n")
        if rng.random() < 0.6:
            out.append(f"      # Indicator rows are jumbled (lines {cut[1] + 2}-{cut[2]}). 目標 and 達成率 rows print \"-\" in the\n"
                       f"      # 基準年度 ({fy(s - 1)}) column; the 実績 row's first value is the baseline. Each 実績 row\n"
                       "      # was assigned by its baseline and every rate was recomputed as actual / target\n"
                       "      # (all reproduce).\n")
        out.extend(body)
        out.append(self.render_project_list(doc, theme, fault, rng))
        return "".join(out)

    def render_eval_indicator(self, doc: Doc, quantity: Quantity, no: int, as_of: int, rp: int,
                              fault_year: int | None, footnotes: dict[str, str], rng: random.Random) -> tuple[list[str], Decimal | None]:
        s = self.start
        v = quantity.values
        c = quantity.comma and doc.comma
        p = quantity.places
        lines = [f"      - no: {no}\n", f"        key: {quantity.key}\n", f"        name: {q(quantity.name)}\n"]
        cross = self.cross.get((doc.plan_id, quantity.key))
        if quantity.cumulative:
            lines.append("        cumulative: true\n")
        if quantity.unit:
            unit = cross[2] if cross is not None and cross[0] == "UNIT004" else quantity.unit
            lines.append(f"        unit: {q(str(unit))}\n")
        base = v[s - 1]
        lines.append(f"        baseline: {{year: {fy(s - 1)}, value: {num(base, p, c) if base is not None else dq('-')}}}"
                     + (f"   # line {rng.randint(50, 3000)}\n" if rng.random() < 0.3 else "\n"))
        form = quantity.form
        years = range(s, s + 4)
        later = doc.as_of is not None and doc.as_of > s + 1   # a document after the plan's revision
        if form in ("num", "cum", "pct"):
            targets = []
            for year in years:
                t = quantity.targets[year]
                if cross is not None and cross[0] == "XDOC002" and cross[1] == year:
                    t = Decimal(cross[2])
                if year == s + 3 and later and quantity.reset_target is not None:
                    targets.append((year, dq(f"{digits(quantity.reset_target, p).replace(',', '') if not c else digits(quantity.reset_target, p)} [※]")))
                    footnotes["※"] = f"{self.name}中期実行プランの改定に伴い、目標値を修正した。"
                else:
                    targets.append((year, num(t, p, c)))
        elif form == "survey":
            targets = [(year, dq("-")) for year in years[:-1]] + [(s + 3, num(quantity.targets[s + 3], p, c))]
        elif form == "lower":
            targets = [(year, quantity.relative) for year in years]
        elif form == "same":
            targets = [(s, num(quantity.targets[s], p, c))] + [(year, "前年比同程度") for year in years[1:]]
        else:
            targets = [(year, f"{quantity.bound}以上") for year in years]
        lines.append(f"        targets: {ymap(targets)}\n")
        if rng.random() < 0.25:
            lines.append(f"        # target row split: \"目標 {quantity.unit or ''} -\" (line {rng.randint(100, 3000)}) and the remaining cells\n"
                         "        # on the next line; read in column order\n")
        actual_years = range(s, as_of + 1)
        lines.append(f"        actuals: {ymap([(y, num(v[y], p, c) if v[y] is not None else dq('-')) for y in actual_years])}\n")
        rates = []
        shown = []
        last_rate = None
        for year in actual_years:
            rate = self.eval_rate(quantity, year, rp)
            if rate is None:
                rates.append((year, dq("-")))
                continue
            if year == fault_year:
                # a step off the rounded rate, away from the exact one: never the truncated or
                # the rounded-up rate (RATE005's warning), always RATE001's mismatch
                exact, step = self.exact_rate(quantity, year), Decimal(1).scaleb(-rp)
                rate = rate + step if rate > exact or rate < step else rate - step
            rates.append((year, f"{digits(rate, rp).replace(',', '')}%"))
            shown.append(rate)
            if year == as_of:
                last_rate = rate
        comment = ""
        if shown and rng.random() < 0.5 and fault_year is None:
            comment = "   # " + ", ".join(self.rate_comment(quantity, y) for y in actual_years if v[y] is not None)
        lines.append(f"        rates:   {ymap(rates)}{comment}\n")
        if form == "survey" and rng.random() < 0.5:
            lines.append("        note: 世論調査は計画期間の最終年度に実施する\n")
        return lines, last_rate

    def exact_rate(self, quantity: Quantity, year: int) -> Decimal:
        v = quantity.values
        actual = v[year]
        if quantity.form == "bound":
            return actual / Decimal(quantity.bound) * HUNDRED
        if quantity.form == "lower":
            return v[year - 1] / actual * HUNDRED
        if quantity.form == "same" and year != self.start:
            return actual / v[year - 1] * HUNDRED
        return actual / quantity.targets[year] * HUNDRED

    def rate_comment(self, quantity: Quantity, year: int) -> str:
        v = quantity.values
        if quantity.form == "lower":
            a, b = v[year - 1], v[year]
        elif quantity.form == "bound":
            a, b = v[year], Decimal(quantity.bound)
        elif quantity.form == "same" and year != self.start:
            a, b = v[year], v[year - 1]
        else:
            a, b = v[year], quantity.targets[year]
        return f"{a}/{b} = {rhu(a / b * HUNDRED, 2)}"

    def render_project_list(self, doc: Doc, theme: Theme, fault: str | None, rng: random.Random) -> str:
        c = doc.comma
        out = [f"    projects:                             # 関連事務事業一覧（{fy(doc.as_of)}） (lines {theme.project_lines[0]}-{theme.project_lines[1]})\n",
               f"      year: {fy(doc.as_of)}\n", "      unit: 千円\n"]
        mains = sum(item.main for item in theme.items)
        if mains:
            out.append(f"      # ★: {mains} marks are printed, detached from their rows; the rows carrying them were\n"
                       "      # matched by name against the 主要事業 of the 中期実行プラン (an exact name match for each).\n")
        if rng.random() < 0.5:
            n = rng.choice((4, 5, 6))
            out.append("      #\n      # Row reconstruction: the extraction splits every fourth row pair (n-1, n) for\n"
                       f"      # n = {', '.join(str(k) for k in range(n, len(theme.items) + 1, 4)) or n} in the same way: row n is printed with its code but\n"
                       "      # without cost/outlook, row n-1 with neither code nor cost/outlook, and two detached\n"
                       "      # fragments appear: \"code cost outlook\" just above row n and \"cost outlook\" just\n"
                       "      # below row n-1. The regular reading, used for all pairs, is: \"code cost outlook\"\n"
                       "      # belongs to row n-1 (the row missing its code) and \"cost outlook\" to row n.\n")
        out.append("      items:\n")
        for item in theme.items:
            cost = dq("—") if item.cost is None else num(item.cost, 0, c)
            flags = (", main: true" if item.main else "") + (", restated: true" if item.restated else "")
            comment = f"   # {item.comment}" if item.comment else ""
            if not comment and rng.random() < 0.12:
                comment = f"   # split row: \"{item.code} {digits(item.cost, 0) if item.cost is not None else '—'} {item.outlook}\" from line {rng.randint(theme.project_lines[0], theme.project_lines[1])} (pattern)"
            out.append(f"        - {{no: {item.no}, name: {q(item.name)}, department: {q(item.department)}, account: {dq(item.account)}, "
                       f"code: {dq(item.code)}, cost: {cost}, outlook: {item.outlook}{flags}}}{comment}\n")
        counted = [item for item in theme.items if item.cost is not None and (theme.restated_in_total or not item.restated)]
        total = sum((item.cost for item in counted), D0)
        note = ""
        if fault == "TOT002":
            total += rng.choice((-1, 1))
            note = "items rounded to 千円 one by one"
        elif fault == "TOT001":
            big = [item for item in counted if item.cost is not None and item.cost > len(counted)]
            if big:
                total -= rng.choice(big).cost
            else:
                total += len(counted) + 7
        if not theme.restated_in_total:
            out.append("      restated_in_total: false               # 合計は再掲分を除く (printed under the list)\n")
        if any(item.cost is None for item in theme.items):
            out.append('      means_zero: ["—"]                       # 「—」: no cost that year, left out of the 合計\n')
        printed = f"the {len(counted)} items with a cost as printed" + (f" ({note})" if note else "")
        out.append(f"      # 合計 as printed (line {theme.project_lines[1] + 2}); {printed}.\n")
        if rng.random() < 0.4:
            out.append(f"      # Row numbers {len(theme.items) + 1}-{len(theme.items) + rng.randint(5, 30)} are printed with no content (empty rows of the form).\n")
        out.append(f"      total: {num(total, 0, c)}\n")
        if theme.with_counts:
            counts = {name: 0 for name in OUTLOOKS}
            for item in theme.items:
                counts[item.outlook] += 1
            if rng.random() < 0.5:
                out.append(f"      # 事務事業の動向, printed jumbled (line {theme.project_lines[1]}); computed from the items they agree.\n")
            out.append("      outlook_counts: {" + ", ".join(f"{k}: {n}" for k, n in counts.items()) + "}\n")
        return "".join(out)

    # --- execution plan -----------------------------------------------------------------
    def build_execution_plan(self) -> None:
        rng, s = self.rng, self.start
        doc = Doc(f"{self.slug}-mid-term-execution-plan", f"{self.name} 第1期中期実行プラン", self.name, "execution_plan",
                  self.seed_name(), (s, s + 3), comma=rng.random() < 0.9)
        themes = [theme for theme in self.themes if theme.area.slug != "municipal-management"]
        chosen = sorted(rng.sample(themes, k=min(len(themes), rng.randint(5, 9))), key=lambda t: t.number)
        files = []
        for number, theme in enumerate(chosen, start=1):
            quantities = theme.quantities[: rng.randint(2, len(theme.quantities))]
            if len(self.registry[theme.area.slug]) > len(theme.quantities) and rng.random() < 0.3:
                quantities = quantities + [self.registry[theme.area.slug][len(theme.quantities)]]
            # the main projects (★): some of the theme's projects, planned year by year
            pool = [item for item in theme.items if not item.restated and item.cost is not None]
            projects = rng.sample(pool, k=min(len(pool), rng.randint(5, 9)))
            for item in projects:
                item.main = True
            lines = doc.lines(rng, 40, 70)
            self.stated.extend((f"{self.slug}/execution-plan/{number:02d}-{theme.area.slug}.yaml", doc.plan_id, quantity)
                               for quantity in quantities)
            files.append(FileSpec(f"{self.slug}/execution-plan/{number:02d}-{theme.area.slug}.yaml", "execution_plan",
                                  self.policy_renderer(doc, theme.area, quantities, projects, lines, rng.random()),
                                  ("YEAR001",)))
        self.add(files)

    def policy_renderer(self, doc: Doc, area: AreaDef, quantities: list[Quantity], projects: list[Item],
                        lines: tuple[int, int], salt: float) -> Callable[[str | None], str]:
        def render(fault: str | None) -> str:
            rng = random.Random(f"{doc.plan_id}:{area.slug}:{salt}")
            return self.render_policy(doc, area, quantities, projects, lines, fault, rng)
        return render

    def render_policy(self, doc: Doc, area: AreaDef, quantities: list[Quantity], projects: list[Item],
                      lines: tuple[int, int], fault: str | None, rng: random.Random) -> str:
        s = self.start
        out = [f"# {doc.title}: {area.policy_title}\n",
               f"# Source: seed {doc.seed_name}, lines {lines[0]}-{lines[1]} (the policy heading to the last 概略 row).\n",
               f"# The indicator table is printed at lines {lines[0] + 3}-{lines[0] + 12}, the 主要事業の年次計画 at {lines[0] + 14}-{lines[1]};\n",
               "# a cell printed once over several years is kept in its first year only (summaries).\n"]
        if rng.random() < 0.5:
            out.append(f"# Note: this seed is a revised edition of the plan (it cites {fy(s + 2)[:-1]}4月1日時点 figures).\n")
        out.append(doc.header())
        out.append("\npolicies:\n")
        out.append(f"  - title: {q(area.policy_title)}\n")
        out.append(f"    source: {{heading: {q(area.policy_title)}, lines: [{lines[0]}, {lines[1]}]}}\n")
        resets = any(quantity.reset_target is not None for quantity in quantities)
        if resets:
            out.append("    footnotes:\n")
            out.append(f"      \"※2\": {self.name}{area.title}に関する計画の策定に伴い、目標値を再設定\n")
        out.append("    indicators:\n")
        drop = None
        if fault == "YEAR001":
            drop = (rng.randrange(len(quantities)), rng.choice((s + 1, s + 2)))
        for no, quantity in enumerate(quantities, start=1):
            c, p = quantity.comma and doc.comma, quantity.places
            out.append(f"      - no: {no}\n        key: {quantity.key}\n        name: {q(quantity.name)}\n")
            if rng.random() < 0.3:
                out.append(f"        # printed over two lines ({lines[0] + 3 + no * 2}-{lines[0] + 4 + no * 2}); the unit column is {quantity.unit or 'blank'}\n")
            if quantity.unit:
                out.append(f"        unit: {q(quantity.unit)}\n")
            if quantity.cumulative:
                out.append("        cumulative: true\n")
            base = quantity.values[s - 1]
            out.append(f"        baseline: {{year: {fy(s - 1)}, value: {num(base, p, c) if base is not None else dq('—')}}}\n")
            form = quantity.form
            targets = []
            for year in range(s, s + 4):
                if form in ("num", "cum", "pct"):
                    if year == s + 3 and quantity.reset_target is not None:
                        text = digits(quantity.reset_target, p) if c else digits(quantity.reset_target, p).replace(",", "")
                        value = dq(f"{text} [※2]")
                    else:
                        value = num(quantity.targets[year], p, c)
                elif form == "survey":
                    value = num(quantity.targets[year], p, c) if year == s + 3 else dq("—")
                elif form == "lower":
                    value = quantity.relative
                elif form == "same":
                    value = num(quantity.targets[year], p, c) if year == s else "前年比同程度"
                else:
                    value = f"{quantity.bound}以上"
                if drop == (no - 1, year):
                    continue   # the cell is empty in the extraction
                targets.append((year, value))
            if drop and drop[0] == no - 1:
                out.append(f"        # the {fy(drop[1])} target cell is empty in the extraction\n")
            if rng.random() < 0.5:
                out.append("        targets:\n" + "".join(f"          {fy(y)}: {value}\n" for y, value in targets))
            else:
                out.append(f"        targets: {ymap(targets)}\n")
        out.append("    projects:                      # 主要事業の年次計画\n      unit: 千円\n      items:\n")
        for item in projects:
            cost = item.cost or Decimal(1000)
            start_year = s if rng.random() < 0.75 else rng.choice((s + 1, s + 2, s + 3))
            costs = []
            for year in range(s, s + 4):
                if year < start_year:
                    costs.append((year, dq("—")))
                else:
                    planned = Decimal(max(1, int(cost * Decimal(rng.uniform(0.8, 1.25)))))
                    costs.append((year, dq(f"{digits(planned, 0)} 千円")))
            out.append(f"        - name: {q(item.name)}\n")
            out.append(f"          departments: [{q(item.department)}]\n")
            out.append(f"          costs: {ymap(costs)}\n")
            out.append("          summaries:\n")
            stem = item.name.replace("事業", "")
            out.append(f"            {fy(start_year)}: {q(self.summary(stem, rng))}\n")
            for year in range(start_year + 1, s + 4):
                if rng.random() < 0.35:
                    out.append(f"            {fy(year)}: {q(self.summary(stem, rng))}\n")
        return "".join(out)

    def summary(self, stem: str, rng: random.Random) -> str:
        """A 概略 cell: one to three phrases, as the plans print them."""
        phrases = [stem + rng.choice(SUMMARIES)]
        for _ in range(rng.choice((0, 1, 1, 2))):
            phrases.append(rng.choice(EXTRA_SUMMARIES))
        return "、".join(phrases) + ("等" if rng.random() < 0.4 else "")

    # --- strategy progress ----------------------------------------------------------------
    def build_strategy(self) -> None:
        rng, s = self.rng, self.start
        end = s - 1
        doc = Doc(f"{self.slug}-comprehensive-strategy-progress-r{era_no(end)}",
                  f"{self.name}まち・ひと・しごと創生総合戦略 {fy(end)} 進捗状況", self.name, "strategy_progress",
                  self.seed_name(), (s - 6, end), end)
        doc.extra_header = (
            "  target_years: end_of_period    # only the 目標 column of the last year is printed\n"
            "  footnotes:\n"
            f"    \"※1\": 市総合戦略において「現状」として記載している数値であり、項目によっては必ずしも{fy(s - 7)}末の数値ではありません。\n"
            "    \"※4\": 現時点で調査結果が公表されていません。\n")
        goals = list(STRATEGY_GOALS[: rng.choice((3, 4, 4))])
        files = []
        for number, goal in enumerate(goals, start=1):
            lines = doc.lines(rng, 60, 140)
            render, shared, has_components = self.goal_renderer(doc, number, goal, lines, rng.random())
            self.stated.extend((f"{self.slug}/strategy-progress-r{era_no(end)}/goal-{number}-{goal[0]}.yaml", doc.plan_id,
                                quantity) for quantity in shared)
            files.append(FileSpec(f"{self.slug}/strategy-progress-r{era_no(end)}/goal-{number}-{goal[0]}.yaml",
                                  "strategy_progress", render, ("CMP001",) if has_components else ()))
        self.add(files)

    def goal_renderer(self, doc: Doc, number: int, goal: tuple, lines: tuple[int, int], salt: float):
        # the data is fixed at build time (so the same key gets the same series in every
        # file); only comments and the fault are drawn at render time
        rng = random.Random(f"{doc.plan_id}:{number}:{salt}")
        data = self.goal_data(doc, number, goal, rng)

        def render(fault: str | None) -> str:
            return self.render_goal(doc, number, goal, lines, data, fault, random.Random(f"{salt}:render"))
        # the registry's quantities (the ones other documents state too), not the goal's own
        registry = {id(quantity) for quantities in self.registry.values() for quantity in quantities}
        shared = [quantity for area in data["areas"] for quantity, _ in area[2] if id(quantity) in registry]
        return render, shared, any(area[4] is not None for area in data["areas"])

    def goal_data(self, doc: Doc, number: int, goal: tuple, rng: random.Random) -> dict:
        s = self.start
        _, _, goal_templates, groups = goal
        goal_quantities = [make_quantity(rng, f"{self.slug}/{t[0]}", t, s, "—") for t in goal_templates]
        areas = []
        for area_no, (area_title, linked, templates, measures) in enumerate(groups, start=1):
            quantities: list[tuple[Quantity, str]] = []
            if linked is not None:
                shared = [quantity for quantity in self.registry[linked] if quantity.form in ("num", "cum", "survey", "pct")]
                for quantity in rng.sample(shared, k=min(len(shared), rng.randint(1, 3))):
                    quantities.append((quantity, quantity.department))
            for t in templates:
                quantities.append((make_quantity(rng, f"{self.slug}/{t[0]}", t, s, rng.choice(AREAS).departments[0]),
                                   rng.choice(("政策課", "産業振興課", "子育て支援課", "健康推進課", "市民協働・男女参画推進課"))))
            n_measures = rng.randint((len(measures) + 1) // 2, len(measures))
            measure_rows = []
            for m in range(n_measures):
                depts = [rng.choice(("政策課", "産業振興課", "子育て支援課", "保育課", "健康推進課", "地域振興課", "水と緑と公園課", "都市計画課"))]
                related = [rng.choice(("学務課", "各課", "保育課", "公共交通課"))] if rng.random() < 0.2 else []
                measure_rows.append((m + 1, measures[m], depts, related, rng.choice(PROGRESS)))
            components = None
            if (number == 3 and area_no == 1) or (area_no == 2 and rng.random() < 0.35):
                parts = rng.sample(VOLUNTEER_PARTS, k=rng.randint(2, 3))
                part_quantities = []
                for key, name, dept in parts:
                    t = (f"{key}-{number}-{area_no}", name, "人", rng.randint(20, 300), 0, rng.choice(("num", "cum")), 0.08)
                    part_quantities.append((make_quantity(rng, f"{self.slug}/{t[0]}", t, s, dept), dept))
                components = (f"{self.slug}/strategy-volunteers-{number}-{area_no}", part_quantities)
            areas.append((area_no, area_title, quantities, measure_rows, components))
        return {"goal_quantities": goal_quantities, "areas": areas}

    def strategy_indicator(self, quantity: Quantity, department: str, indent: str, extra: list[str],
                           absent_last: bool = False, plan_id: str = "") -> str:
        """A KPI row: 現状 (baseline, S-7), 実績 by year, the end-of-period 目標."""
        s = self.start
        unit = quantity.unit
        suffix = unit if unit in ("人", "件", "箇所", "団体", "回", "世帯", "本", "台", "品", "事業所", "%") else ""
        p, c = quantity.places, quantity.comma

        def cell(value: Decimal | None) -> str:
            return dq("-") if value is None else num(value, p, c, suffix)

        actuals = [(y, cell(quantity.values[y])) for y in range(s - 6, s)]
        cross = self.cross.get((plan_id, quantity.key))
        if cross is not None and cross[0] == "XDOC001":
            actuals = [(y, cell(Decimal(cross[2])) if y == cross[1] else text) for y, text in actuals]
        if absent_last:
            actuals[-1] = (s - 1, dq("(※4)"))
        fields = [f"key: {quantity.key}" if quantity.key else "", f"name: {q(quantity.name)}", *extra]
        if quantity.cumulative:
            fields.append("cumulative: true                  # printed (累計)")
        if unit:
            fields.append(f"unit: {q(unit)}")
        else:
            fields.append("# no unit printed")
        fields.append(f"department: {q(department)}")
        fields.append(f"baseline: {{year: {fy(s - 7)}, value: {cell(quantity.values[s - 7])}, note: \"※1\"}}")
        fields.append(f"actuals: {ymap(actuals)}")
        fields.append(f"targets: {ymap([(s - 1, num(quantity.strategy_target, p, c, suffix))])}")
        fields = [f for f in fields if f]
        return f"{indent}- {fields[0]}\n" + "".join(f"{indent}  {f}\n" for f in fields[1:])

    def render_goal(self, doc: Doc, number: int, goal: tuple, lines: tuple[int, int], data: dict,
                    fault: str | None, rng: random.Random) -> str:
        s = self.start
        title = goal[1]
        out = [f"# {doc.title}: 基本目標{number}\n",
               "# The document prints each 基本目標 twice: in the 進捗状況一覧表 (part 1, measures) and in the\n",
               "# 数値目標・KPI一覧 (part 2). A goal's `lines` span both parts.\n"]
        out.append(doc.header())
        out.append("\ngoals:\n")
        out.append(f"  - id: goal-{number}\n    number: {number}\n    title: {q(title)}\n")
        out.append(f"    source: {{heading: {q(f'基本目標{number}「{title}」')}, lines: [{lines[0]}, {lines[1]}]}}\n")
        out.append("    # 数値目標: the rows printed before the first ① of the KPI table\n    indicators:\n")
        for quantity in data["goal_quantities"]:
            out.append(self.strategy_indicator(quantity, "—" if quantity.unit != "%" else "(市民意識調査)", "      ", [],
                                               absent_last=quantity.unit is None))
        out.append("    areas:\n")
        cursor = lines[0] + 2
        restate_source = None
        fault_done = False
        for area_no, area_title, quantities, measure_rows, components in data["areas"]:
            part1 = (cursor, cursor + len(measure_rows) + 1)
            cursor = part1[1] + 2
            part2 = (lines[1] - 40 + area_no * 6, lines[1] - 40 + area_no * 6 + len(quantities) + 1)
            out.append(f"      - number: {CIRCLED[area_no - 1]}\n        title: {q(area_title)}\n")
            heading = f"{CIRCLED[area_no - 1]} {area_title}"
            out.append(f"        source: {{heading: {q(heading)}, lines: [[{part1[0]}, {part1[1]}], [{part2[0]}, {part2[1]}]]}}   # part 1 block, then its KPI rows\n")
            out.append("        measures:\n")
            for no, name, depts, related, progress in measure_rows:
                rel = f", related_departments: [{', '.join(q(d) for d in related)}]" if related else ""
                out.append(f"          - {{no: {no}, name: {q(name)}, departments: [{', '.join(q(d) for d in depts)}]{rel}, progress: {progress}}}\n")
            out.append("        indicators:\n")
            if rng.random() < 0.5:
                out.append(f"          # KPI rows printed at lines {part2[0]}-{part2[1]}; the 所管課 column is the last cell of each row\n")
            for quantity, department in quantities:
                extra = []
                if quantity.form != "survey" and rng.random() < 0.15:
                    extra.append(f"note: 新型コロナウイルス感染症の影響により{fy(s - 1)}末の目標を達成できなかった指標（本文末尾の注記）")
                if quantity.key.rsplit("/", 1)[1] in self.shared_keys:
                    extra.append(f"# the same quantity as the 中期実行プラン / 施策評価 row: {fy(s - 1)}末 実績 = their {fy(s - 1)} baseline")
                out.append(self.strategy_indicator(quantity, department, "          ", extra, plan_id=doc.plan_id))
            if components is not None:
                parent_key, parts = components
                parent_values: dict[int, Decimal | None] = {}
                for year in range(s - 7, s):
                    parent_values[year] = sum((part.values[year] or D0 for part, _ in parts), D0)
                target = sum((part.strategy_target for part, _ in parts), D0)
                if fault == "CMP001" and not fault_done:
                    year = rng.randrange(s - 6, s)
                    parent_values[year] = parent_values[year] + rng.choice((-10, -3, -1, 1, 2, 5, 12))
                    fault_done = True
                parent = Quantity(parent_key, f"({number}){CIRCLED[area_no - 1]}の事業におけるボランティア数等", "人", 0, "num",
                                  parent_values, {}, target, department="—", comma=True)
                out.append("          # the (内数) rows below add up to this row in every column\n")
                out.append(self.strategy_indicator(parent, "—", "          ", []))
                for part, department in parts:
                    out.append(self.strategy_indicator(part, department, "          ", [f"component_of: {parent_key}   # (内数)"]))
                restate_source = parts[0]
        if restate_source is not None and len(data["areas"]) > 1 and rng.random() < 0.7:
            part, department = restate_source
            copy = Quantity("", part.name, part.unit, part.places, part.form, part.values, part.targets,
                            part.strategy_target, comma=part.comma)
            out.append("          # (再掲) row of the (内数) row above, equal to it in every column\n")
            out.append(self.strategy_indicator(copy, department, "          ", [f"restates: {part.key}   # (再掲)"]))
        return "".join(out)

    # --- statistics -------------------------------------------------------------------------
    def build_statistics(self) -> None:
        rng, s = self.rng, self.start
        as_of = s + 1
        doc = Doc(f"{self.slug}-welfare-statistics-r{era_no(as_of + 1)}",
                  f"{self.name} 福祉に係る市の統計資料について（{fy(as_of + 1)[:-1]}度第1回地域福祉推進委員会 資料2）",
                  self.name, "statistics", self.seed_name())
        salt = rng.random()
        faults = ("TAB001", "TAB002")
        self.add([FileSpec(f"{self.slug}/welfare-statistics-r{era_no(as_of + 1)}/tables.yaml", "statistics",
                           lambda fault: self.render_statistics(doc, fault, random.Random(f"{doc.plan_id}:{salt}")), faults)])

    def render_statistics(self, doc: Doc, fault: str | None, rng: random.Random) -> str:
        s = self.start
        years = list(range(s - 3, s + 2))  # calendar columns
        out = [f"# {doc.title}\n",
               f"# Source: seed {doc.seed_name}. Each table is printed once, as tab-separated text.\n",
               "# The document states no date of its own beyond the meeting's; no period or as_of is set.\n"]
        out.append(doc.header())
        out.append("\ntables:\n")
        fault_table = None
        if fault == "TAB001":
            fault_table = "welfare-consultations"
        elif fault == "TAB002":
            fault_table = "population-by-age"
        fault_col = None
        line = 52
        extra_col = rng.random() < 0.5
        col_keys = [cy(y) for y in years]
        provisional_key = f"※R{years[-1] - 2018}.11.1"
        if extra_col:
            col_keys.append(provisional_key)

        def columns(keys: list[str], fiscal: bool = False) -> str:
            text = "    columns:\n"
            for key in keys:
                if key.startswith("※"):
                    text += f"      - {{key: {key}, as_of: {cy(years[-1])}11月1日現在}}\n"
                else:
                    text += f"      - {{key: {key}, year: {key}}}\n"
            return text

        def row(key: str, name: str, values: dict[str, str], unit: str | None = None) -> str:
            unit_text = f", unit: {dq(unit) if unit in ('%', '‰') else q(unit)}" if unit else ""
            return (f"      - {{key: {key}, name: {q(name)}{unit_text}, values: {{"
                    + ", ".join(f"{k}: {v}" for k, v in values.items()) + "}}\n")

        def table_head(tid: str, no: int, title: str, unit: str | None, as_of: str | None, rows: int) -> str:
            nonlocal line
            first = line
            line += rows + 8
            head = f"  - id: {tid}\n    number: {CIRCLED[no - 1]}\n    title: {q(title)}\n"
            if as_of:
                head += f"    as_of: {as_of}\n"
            if unit:
                head += f"    unit: {q(unit)}\n"
            heading = f"{CIRCLED[no - 1]}{title}" + (f"（{as_of}）" if as_of else "")
            head += f"    source: {{heading: {q(heading)}, lines: [{first}, {line - 2}]}}\n"
            head += f"    # printed as tab-separated rows (lines {first + 2}-{line - 4}); 資料: {self.name}{rng.choice(('住民基本台帳', '事務報告書', '福祉保健部資料'))} (line {line - 2})\n"
            return head

        # ① population by age
        pop = rng.randint(60_000, 420_000)
        young, working, old, total, rate = {}, {}, {}, {}, {}
        for i, key in enumerate(col_keys):
            p = int(pop * (1 + 0.006 * i + rng.gauss(0, 0.001)))
            y_ = int(p * rng.uniform(0.115, 0.135))
            o_ = int(p * (rng.uniform(0.205, 0.215) + 0.003 * i))
            w_ = p - y_ - o_
            young[key], working[key], old[key], total[key] = y_, w_, o_, p
            rate[key] = rhu(Decimal(o_) / Decimal(p) * HUNDRED, 1)
        if fault_table == "population-by-age":
            fault_col = rng.choice(col_keys)
            rate[fault_col] += Decimal("0.1") * rng.choice((-1, 1))
        tables = []
        t = table_head("population-by-age", 1, f"{self.name}の年齢3区分別人口の推移", "人", "各年10月1日現在", 6)
        t += "    footnotes: {\"※\": 住民基本台帳人口（外国人含む）}\n" + columns(col_keys) + "    rows:\n"
        def fmt(d):
            return {k: num(Decimal(v), 0) for k, v in d.items()}
        t += row("young", "年少人口（0～14歳）", fmt(young)) + row("working-age", "生産年齢人口（15～64歳）", fmt(working))
        t += row("old", "老年人口（65歳以上）", fmt(old)) + row("total", "合計", fmt(total))
        t += "      # no unit is printed; 高齢化率 is by definition 老年人口 / 総人口 in percent\n"
        t += row("aging-rate", "高齢化率", {k: f"{v:.1f}" for k, v in rate.items()}, "%")
        t += ("    relations:\n      # 合計 row; holds in every column\n"
              "      - {check: sum, row: total, of: [young, working-age, old]}\n"
              "      # 高齢化率 = 老年人口 / 合計 × 100 (the standard definition; printed to 1 decimal)\n"
              "      - {check: ratio, row: aging-rate, numerator: old, denominator: total, scale: 100, places: 1}\n")
        tables.append(t)
        # ② households
        households = {k: int(total[k] / rng.uniform(1.95, 2.15)) for k in col_keys}
        per = {k: rhu(Decimal(total[k]) / Decimal(households[k]), 2) for k in col_keys}
        t = table_head("households", 2, "世帯数の推移", None, "各年10月1日現在", 2) + columns(col_keys) + "    rows:\n"
        t += row("households", "世帯数", fmt(households), "世帯")
        t += row("persons-per-household", "1世帯当たりの人員", {k: f"{v:.2f}" for k, v in per.items()}, "人")
        t += ("    relations:\n      # 1世帯当たりの人員 = 人口 / 世帯数; the population is ①'s 合計 (same register, same dates)\n"
              "      - {check: ratio, row: persons-per-household, numerator: population-by-age/total, denominator: households, places: 2}\n")
        tables.append(t)
        # ③ early / late elderly
        early = {k: int(old[k] * rng.uniform(0.44, 0.5)) for k in col_keys}
        late = {k: old[k] - early[k] for k in col_keys}
        t = table_head("elderly-early-late", 3, "前期高齢者と後期高齢者の推移", "人", "各年10月1日現在", 3) + columns(col_keys) + "    rows:\n"
        t += row("early", "前期高齢者（65～74歳）", fmt(early)) + row("late", "後期高齢者（75歳以上）", fmt(late))
        t += row("total", "合計", fmt(old))
        t += ("    relations:\n      - {check: sum, row: total, of: [early, late]}\n"
              "      # 65歳以上 = ①'s 老年人口（65歳以上）, same register and dates\n"
              "      - {check: equal, row: total, other: population-by-age/old}\n")
        tables.append(t)
        no = 4
        fiscal_keys = [fy(y) for y in range(s - 3, s + 2)]
        # ④ care certification (fiscal years, 10月1日 ratio against ① is not stated: no ratio)
        if rng.random() < 0.8:
            grades = ("要支援1", "要支援2", "要介護1", "要介護2", "要介護3", "要介護4", "要介護5")
            shares = (0.14, 0.13, 0.21, 0.16, 0.13, 0.13, 0.10)
            base = old[col_keys[0]] * rng.uniform(0.17, 0.2)
            cols: dict[str, dict[str, int]] = {g: {} for g in grades}
            tot = {}
            for i, k in enumerate(fiscal_keys):
                level = base * (1 + 0.02 * i)
                acc = 0
                for g, share in zip(grades, shares):
                    v = int(level * share * rng.uniform(0.95, 1.05))
                    cols[g][k] = v
                    acc += v
                tot[k] = acc
            t = table_head("care-certification", no, "要支援・要介護認定者数の推移", "人", "各年度末現在", 9)
            t += columns(fiscal_keys) + "    rows:\n"
            for i, g in enumerate(grades):
                t += row(f"grade-{i + 1}", g, fmt(cols[g]))
            t += row("total", "合計", fmt(tot))
            t += "    relations:\n      - {check: sum, row: total, of: [" + ", ".join(f"grade-{i + 1}" for i in range(len(grades))) + "]}\n"
            tables.append(t)
            no += 1
        # ⑤ disability handbooks
        if rng.random() < 0.7:
            kinds = (("physical", "身体障害者手帳所持者数", 0.025), ("intellectual", "愛の手帳所持者数", 0.006),
                     ("mental", "精神障害者保健福祉手帳所持者数", 0.009))
            vals = {key: {k: int(pop * share * (1 + 0.03 * i) * rng.uniform(0.97, 1.03)) for i, k in enumerate(fiscal_keys)}
                    for key, _, share in kinds}
            tot = {k: sum(vals[key][k] for key, _, _ in kinds) for k in fiscal_keys}
            t = table_head("disability-handbooks", no, "障害者手帳所持者数の推移", "人", "各年度末現在", 4) + columns(fiscal_keys) + "    rows:\n"
            for key, name, _ in kinds:
                t += row(key, name, fmt(vals[key]))
            t += row("total", "合計", fmt(tot))
            t += "    relations:\n      - {check: sum, row: total, of: [physical, intellectual, mental]}\n"
            tables.append(t)
            no += 1
        # ⑥ NPO corporations (うち row)
        npo = {cy(y): int(pop / 1800 * rng.uniform(0.9, 1.1)) for y in range(s - 4, s + 2)}
        npo_keys = list(npo)
        sub = {k: int(v * rng.uniform(0.6, 0.75)) for k, v in npo.items()}
        t = table_head("npo-corporations", no, "市内に事務所を置くNPO法人数", "法人", None, 2)
        t = t.replace("    unit: 法人\n", "    unit: 法人   # no unit is printed; the rows count 法人\n")
        t += columns(npo_keys) + "    rows:\n"
        t += row("npo", "法人数", {k: str(v) for k, v in npo.items()})
        t += row("npo-health-welfare", "うち、保健・医療・福祉に関するNPO法人", {k: str(v) for k, v in sub.items()})
        t += "    relations:\n      # うち row; holds in every column\n      - {check: subset, row: npo-health-welfare, of: [npo]}\n"
        tables.append(t)
        no += 1
        # ⑦ public assistance (‰, no relation: its population base is not printed)
        hh = {k: int(pop * 0.0125 * (1 + 0.01 * i)) for i, k in enumerate(fiscal_keys)}
        persons = {k: int(v * rng.uniform(1.12, 1.2)) for k, v in hh.items()}
        prate = {k: rhu(Decimal(persons[k]) / Decimal(pop) * 1000, 1) for k in fiscal_keys}
        t = table_head("public-assistance", no, "被保護世帯数・人員数と被保護人員の保護率", None, None, 3)
        t += "    footnotes: {\"※\": 速報値}\n    columns:\n"
        for i, k in enumerate(fiscal_keys):
            t += f"      - {{key: {k}, year: {k}" + (", provisional: true}   # ※速報値\n" if i == len(fiscal_keys) - 1 else "}\n")
        t += "    rows:\n" + row("households", "被保護世帯数", fmt(hh), "世帯") + row("persons", "被保護人員数", fmt(persons), "人")
        t += "      # No unit is printed. 保護率 is 被保護人員 per 1,000 population (‰)\n"
        t += row("protection-rate", "被保護人員の保護率", {k: f"{v:.1f}" for k, v in prate.items()}, "‰")
        t += "    # No ratio relation: the population the rate divides by is not printed in this table.\n"
        tables.append(t)
        no += 1
        # ⑧ consultations by category (合計 row)
        categories = (("illness-health-disability", "病気や健康、障がい"), ("housing", "住まい"), ("income-living-costs", "収入・生活費"),
                      ("rent-loan-payments", "家賃・ローンの支払い"), ("tax-utility-payments", "税金や公共料金等の支払い"), ("debt", "債務"),
                      ("job-seeking", "仕事探し、就職"), ("work-troubles", "仕事上の不安やトラブル"), ("community-relations", "地域との関係"),
                      ("family-relations", "家族との関係"), ("child-rearing", "子育て"), ("nursing-care", "介護"),
                      ("social-withdrawal", "ひきこもり・不登校"), ("dv-abuse", "DV・虐待"), ("no-food", "食べるものがない"),
                      ("other", "その他（居場所がない等）"))
        chosen = categories[: rng.randint(8, len(categories))]
        cons_keys = fiscal_keys[-rng.randint(2, 4):]
        vals = {key: {k: int(math.exp(rng.gauss(3.5, 1.0))) for k in cons_keys} for key, _ in chosen}
        tot = {k: sum(vals[key][k] for key, _ in chosen) for k in cons_keys}
        if fault_table == "welfare-consultations":
            fault_col = rng.choice(cons_keys)
            tot[fault_col] += rng.choice((-10, -1, 1, 9, 100))
        t = table_head("welfare-consultations", no, "福祉総合相談窓口の相談件数と相談内容", "件", None, len(chosen) + 1)
        t += columns(cons_keys) + "    rows:\n"
        for key, name in chosen:
            t += row(key, name, fmt(vals[key]))
        t += row("total", "合計", fmt(tot))
        t += (f"    relations:\n      # 合計 row over the {len(chosen)} categories\n      - check: sum\n        row: total\n"
              f"        of: [{', '.join(key for key, _ in chosen)}]\n")
        tables.append(t)
        out.append("\n".join(tables))
        return "".join(out)

    # --- issue sheets and activity plan ----------------------------------------------------------
    def build_issue_sheets(self) -> None:
        rng, s = self.rng, self.start
        doc = Doc(f"{self.slug}-community-welfare-plan-issue-sheets", f"{self.name}地域福祉計画 課題シート", self.name,
                  "policy_evaluation", self.seed_name(), None, s + 1)
        sheets = (("welfare-town", "福祉のまちづくり"), ("comprehensive-support", "包括的な支援体制の整備"),
                  ("community-activities", "地域活動の推進"))
        programs = (("citizen-guardians", "市民後見人の数", "人", "権利擁護事業の推進"),
                    ("third-party-evaluations", "第三者評価の利用数", "件", "福祉サービス第三者評価システムの普及"),
                    ("welfare-volunteer-training", "福祉ボランティア講座の受講者数", "人", "ボランティア活動の推進"),
                    ("comprehensive-consultations", "福祉総合相談窓口の相談件数", "件", "相談支援体制の充実"),
                    ("community-cafe-sites", "地域の居場所の設置数", "箇所", "地域の居場所づくり"),
                    ("outreach-visits", "アウトリーチ訪問件数", "件", "包括的な支援体制の整備"),
                    ("inspection-corporations", "社会福祉法人への指導検査の実施", None, "サービス事業者への指導強化"),
                    ("guardianship-plan", "成年後見制度利用促進法による市町村計画策定の検討", None, "権利擁護事業の推進"),
                    ("welfare-map-updates", "地域福祉マップの更新地区数", "地区", "地域の見守り活動の推進"),
                    ("peer-support-groups", "当事者グループの活動数", "団体", "当事者活動の支援"),
                    ("disaster-support-registrations", "避難行動要支援者名簿の登録者数", "人", "災害時の支援体制づくり"),
                    ("welfare-education-schools", "福祉教育を実施した学校数", "校", "福祉教育の推進"))
        surveys = (("residential-satisfaction", "自分が住んでいる町内の住み心地の満足度「かなり満足している」の割合"),
                   ("advocacy-center-awareness", "権利擁護センターの認知の割合"),
                   ("volunteer-experience", "ボランティア活動に参加したことがある人の割合"),
                   ("consultation-awareness", "福祉の相談窓口を知っている人の割合"))
        files = []
        # each key belongs to one sheet: programs and surveys are dealt out, not drawn
        programs_left = rng.sample(programs, k=len(programs))
        surveys_left = rng.sample(surveys, k=len(surveys))
        for number, (slug, title) in enumerate(sheets, start=1):
            lines = doc.lines(rng, 60, 90)
            chosen = [programs_left.pop() for _ in range(min(len(programs_left), rng.randint(3, 4)))]
            chosen_surveys = [surveys_left.pop() for _ in range(min(len(surveys_left), 1 if number < 3 else 2))]
            salt = rng.random()
            files.append(FileSpec(f"{self.slug}/community-welfare-plan-issue-sheets/goal-{number}-{slug}.yaml",
                                  "policy_evaluation", self.sheet_renderer(doc, number, title, lines, chosen, chosen_surveys, salt)))
        self.add(files)

    def sheet_renderer(self, doc: Doc, number: int, title: str, lines: tuple[int, int], programs: list, surveys: list,
                       salt: float) -> Callable[[str | None], str]:
        def render(fault: str | None) -> str:
            return self.render_sheet(doc, number, title, lines, programs, surveys, random.Random(salt))
        return render

    def render_sheet(self, doc: Doc, number: int, title: str, lines: tuple[int, int], programs: list, surveys: list,
                     rng: random.Random) -> str:
        s = self.start
        base_year = s - 5
        out = [f"# {doc.title} ({fy(s + 2)[:-1]}度第1回地域福祉推進委員会 資料4): 基本目標 {number} 「{title}」\n",
               f"# Source: seed {doc.seed_name}, lines {lines[0]}-{lines[1]}. The 配布資料一覧 lists 資料4 and a\n",
               "# 「課題シート（差替）」; which version the seed holds is not stated.\n",
               f"# 現在の取り組み and 計画全体の目標指標 are printed twice, as HTML (lines {lines[0] + 5}, {lines[0] + 11}) and as\n",
               f"# tab-separated rows (lines {lines[0] + 6}-{lines[0] + 10}, {lines[0] + 12}-{lines[0] + 15}); the two copies agree cell for cell (the\n",
               "# tab copy leaves the rowspan 事業名 of the second row blank).\n",
               "# Not encoded: ビジョン, the evaluation text, アンケート調査結果, 国の方針, 次期計画に\n",
               "# 向けた課題 (their survey percentages are not indicators).\n"]
        out.append(doc.header().replace("  as_of:", "  # no period: the seed does not print the current plan's period.\n  as_of:"))
        out.append("\nthemes:\n")
        out.append(f"  - id: goal-{number}\n    title: {q(title)}\n")
        out.append(f"    source: {{heading: {q(f'基本目標 {number} 「{title}」についての課題')}, lines: [{lines[0]}, {lines[1]}]}}\n")
        out.append(f"    indicators:\n      # 現在の取り組み: 現状 ({fy(base_year)}) / 目標 ({fy(s + 2)}) / 結果(見込み) ({fy(s + 1)})\n")
        for key, name, unit, program in programs:
            out.append(f"      - key: {self.slug}/{key}\n        name: {q(name)}\n        program: {q(program)}\n")
            if unit:
                b: int | Decimal = rng.randint(0, 40)
                a = b + rng.randint(0, 30)
                out.append(f"        unit: {unit}\n        baseline: {{year: {fy(base_year)}, value: {b}{unit}}}\n")
                target = rng.choice(("充実", "継続", "拡充", f"{a + rng.randint(1, 20)}{unit}"))
                out.append(f"        targets: {{{fy(s + 2)}: {target}}}\n        actuals: {{{fy(s + 1)}: {a}{unit}}}\n")
            else:
                out.append(f"        baseline: {{year: {fy(base_year)}, value: 年1法人実施}}   # read as a qualitative value (text)\n")
                out.append(f"        targets: {{{fy(s + 2)}: 継続}}\n        actuals: {{{fy(s + 1)}: 年1法人実施}}\n")
            out.append("        note: 結果は見込み\n")
            if rng.random() < 0.4:
                out.append("        # the 結果 column is headed 結果(見込み): a forecast made before the year closed\n")
        out.append(f"      # 計画全体の目標指標: 現状 ({fy(base_year)}) / 目標値 ({fy(s + 1)}) / 調査結果 ({fy(s + 1)})\n")
        for key, name in surveys:
            b = dec(rng.uniform(5, 40), 1)
            out.append(f"      - key: {self.slug}/{key}\n        name: {q(name)}\n        unit: \"%\"\n")
            out.append(f"        baseline: {{year: {fy(base_year)}, value: {b}%}}\n")
            out.append(f"        targets: {{{fy(s + 1)}: {int(b) + rng.randint(3, 15)}%}}\n")
            out.append(f"        actuals: {{{fy(s + 1)}: {dec(float(b) + rng.uniform(-3, 12), 1)}%}}\n")
        return "".join(out)

    def build_activity_plan(self) -> None:
        rng, s = self.rng, self.start
        doc = Doc(f"{self.slug}-welfare-activity-plan-midterm", f"第四次{self.name}地域福祉活動計画 後期に向けた中間報告", self.name,
                  "activity_plan", self.seed_name(), (s - 2, s + 6), s + 3)
        salt = rng.random()
        self.add([FileSpec(f"{self.slug}/welfare-activity-plan/midterm-report.yaml", "activity_plan",
                           lambda fault: self.render_activity(doc, random.Random(salt)))])

    def render_activity(self, doc: Doc, rng: random.Random) -> str:
        s = self.start
        goals = (("誰もが参加できる地域づくり", ("誰もが地域の課題を話し合える関係をつくる", "気軽に集える、立ち寄れる場をつくる", "必要な情報の発信と共有を進める")),
                 ("地域の多様な主体がつながる仕組みづくり", ("団体・事業者の連携を広げる", "地域の拠点を活用する")),
                 ("地域福祉を担うひとづくり", ("地域活動やボランティア活動に参加する人を増やす", "あらゆる世代が福祉意識を学ぶ機会をつくる")),
                 ("地域を支える仕組みづくり", ("地域の課題に対応する仕組みをつくる", "身近な地域における相談体制を充実する")),
                 ("安心して暮らせる環境づくり", ("権利擁護の取組を進める", "災害に備えた地域づくりを進める", "生活に困りごとを抱える人を支える")))
        counts = (("住民懇談会", "3か月に1回程度", "福祉施設において、圏域ごとに開催"), ("防災訓練", "年1回", "自治会"),
                  ("サロン", "{n}か所", "高齢者"), ("子ども食堂・だれでも食堂", "{n}か所", "だれでも"), ("地区連絡協議会", "年1回", "民生委員児童委員"),
                  ("街頭掲示板情報掲示", "{n}か所", "自治会、町内"), ("コミュニティソーシャルワーカー", "{n}人", "市内全域に配置"),
                  ("ボランティア講座", "年{n}回", "社会福祉協議会"), ("見守り訪問", "月1回", "民生委員"), ("協力店", "約{n}か所", "商店会"))
        period = doc.period
        out = [f"# {doc.title} (社会福祉協議会, {fy(s + 4)[:-2]}({s + 4})年3月)\n",
               f"# Source: seed {doc.seed_name}. Chapter 2 holds the 基本目標 and their 取組の方向性; the ●-bulleted\n",
               "# activities, the 委員名簿 and the 用語解説 are not encoded.\n"]
        header = doc.header().replace(
            f"  period: {{start: {fy(period[0])}, end: {fy(period[1])}}}",
            f"  period: {{start: {dq(fy(period[0])[:-2] + f'({period[0]})年度')}, end: {dq(fy(period[1])[:-2] + f'({period[1]})年度')}}}   # as printed on the cover")
        out.append(header)
        out.append("\ngoals:\n")
        line = 96
        for number, (title, directions) in enumerate(goals, start=1):
            first = line
            out.append(f"  - id: goal-{number}\n    number: {number}\n    title: {q(title)}\n")
            body = []
            for d_no, d_title in enumerate(directions, start=1):
                d_first = line + 2
                line = d_first + rng.randint(30, 80)
                body.append(f"      - number: {d_no}\n        title: {q(d_title)}\n        status: 継続   # line {line - 10}\n")
                if rng.random() < 0.5:
                    body.append(f"        # the direction's text runs over lines {d_first}-{line}; its ●-bulleted activities are not encoded,\n"
                                "        # only the counts it states with a counter\n")
                body.append(f"        source: {{heading: {q(f'取組の方向性{d_no} {d_title}')}, lines: [{d_first}, {line}]}}\n")
                chosen = rng.sample(counts, k=rng.randint(1, 6) if rng.random() < 0.85 else 0)
                if not chosen:
                    body.append("        counts: []   # no stated count\n")
                    continue
                body.append("        counts:\n")
                for name, value, note in chosen:
                    if rng.random() < 0.5:
                        body.append(f"          # line {rng.randint(d_first, line)}: {note}の取組として記載\n")
                    body.append(f"          - {{name: {q(name)}, value: {q(value.format(n=rng.randint(2, 40)))}, note: {q(note)}}}\n")
            out.append(f"    source: {{heading: {q(f'基本目標{number} {title}')}, lines: [{first}, {line}]}}\n    directions:\n")
            out.extend(body)
            line += 4
        return "".join(out)


# --------------------------------------------------------------------------------------
# The corpus


def municipality_names(seed: int):
    rng = random.Random(f"plancheck-bench-names:{seed}")
    pairs = [(h, t) for h in NAME_HEADS for t in NAME_TAILS]
    rng.shuffle(pairs)
    round_ = 0
    while True:
        for (hk, hr), (tk, tr) in pairs:
            suffix = "市" if rng.random() < 0.85 else "町"
            slug = hr + tr + ("" if round_ == 0 else f"-{round_ + 1}")
            name = hk + tk + suffix if round_ == 0 else ("新" if round_ == 1 else f"第{round_ + 1}") + hk + tk + suffix
            yield name, slug
        round_ += 1


def plan_files(files: int, seed: int = 0) -> list[FileSpec]:
    """The first `files` file specs of the corpus, municipality by municipality, each
    municipality's documents interleaved so that any prefix mixes the kinds."""
    return _build(files, seed)[0]


def _build(files: int, seed: int) -> tuple[list[FileSpec], list[Municipality]]:
    """The file specs, and the municipalities whose files are all among them."""
    specs: list[FileSpec] = []
    whole: list[Municipality] = []
    names = municipality_names(seed)
    index = 0
    while len(specs) < files:
        name, slug = next(names)
        municipality = Municipality(index, seed, name, slug)
        index += 1
        ordered = sorted(municipality.files, key=lambda spec: spec.position)
        room = files - len(specs)
        specs.extend(ordered[:room])
        if len(ordered) <= room:
            whole.append(municipality)
    return specs, whole


class Fault(NamedTuple):
    """An inconsistency the corpus holds on purpose: the file, the rule code that reports
    it, and, for a cross-document one, the line of the value (None: somewhere in the file)."""

    path: Path
    code: str
    line: int | None = None
    cross: bool = False


class Corpus(list[Path]):
    """generate()'s answer: the paths written, in generation order, and `faults`, every
    inconsistency among them (the per-file ones and the cross-document ones)."""

    faults: tuple[Fault, ...] = ()


CROSS_CODES = ("XDOC001", "XDOC002", "UNIT004")
CROSS_FIELDS = {"XDOC001": "actuals", "XDOC002": "targets", "UNIT004": "unit"}


def _choose_cross(whole: list[Municipality], faults: int, seed: int, files: int) -> list[tuple[Municipality, tuple]]:
    """`faults` cross-document faults, the codes in turn, one municipality after another
    (in an order drawn from the seed), each a different key; fewer only if the corpus has
    no more places for them."""
    rng = random.Random(f"plancheck-bench-cross:{seed}:{files}")
    order = whole[:]
    rng.shuffle(order)
    pools = [(municipality, municipality.cross_candidates()) for municipality in order]
    chosen: list[tuple[Municipality, tuple]] = []
    used: set[tuple[str, str]] = set()
    turn = 0
    while len(chosen) < faults:
        progressed = False
        for municipality, pool in pools:
            if len(chosen) == faults:
                break
            for step in range(len(CROSS_CODES)):
                code = CROSS_CODES[(turn + step) % len(CROSS_CODES)]
                places = [place for place in pool[code] if (municipality.slug, place[2].key) not in used]
                if places:
                    place = rng.choice(places)
                    used.add((municipality.slug, place[2].key))
                    chosen.append((municipality, (code, *place)))
                    turn += 1
                    progressed = True
                    break
        if not progressed:
            break
    return chosen


def _line_of(text: str, key: str, field: str) -> int:
    """The line (1-based) of `field:` in the indicator whose key is `key`."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip("- ").startswith(f"key: {key}") and
                 line.lstrip("- ")[len(f"key: {key}"):][:1] in ("", " "))
    return next(i for i in range(start, len(lines)) if lines[i].lstrip("- ").startswith(f"{field}:")) + 1


def generate(out_dir: Path, files: int, seed: int = 0, faults: int = 0) -> Corpus:
    """Write `files` plan files under `out_dir` (created; it must not hold plan files
    already) and return their paths in generation order, with the inconsistencies they
    hold (`Corpus.faults`). Deterministic for (files, seed, faults); `faults` more
    inconsistencies across documents of one municipality (XDOC001, XDOC002, UNIT004 in
    turn), each at a known file and line, never changing any other file's bytes."""
    out_dir = Path(out_dir)
    if files < 0 or faults < 0:
        raise ValueError("files and faults must be >= 0")
    if out_dir.exists() and any(out_dir.rglob("*.y*ml")):
        raise FileExistsError(f"{out_dir} already holds YAML files; use an empty or new directory")
    specs, whole = _build(files, seed)
    rng = random.Random(f"plancheck-bench-faults:{seed}:{files}")
    # weighted sampling without replacement (Efraimidis–Spirakis): an evaluation file is
    # twice as likely as another kind to carry the inconsistency
    keyed = sorted(((rng.random() ** (1 / FAULT_WEIGHTS.get(spec.kind, 1)), i) for i, spec in enumerate(specs)
                    if spec.faults), reverse=True)
    k = min(len(keyed), round(files * FAULT_SHARE))
    faulty = dict.fromkeys(sorted(i for _, i in keyed[:k]))
    for i in faulty:
        faulty[i] = rng.choice(specs[i].faults)
    cross: dict[str, list[tuple[str, str]]] = {}  # file -> (code, key) of each
    for municipality, (code, rel, plan_id, quantity, year, wrong) in _choose_cross(whole, faults, seed, files):
        municipality.cross[(plan_id, quantity.key)] = (code, year, wrong)
        cross.setdefault(rel, []).append((code, quantity.key))
    global _WRITING
    _WRITING = (out_dir, specs, faulty, cross)
    try:
        lines = _write_all(len(specs))
    finally:
        _WRITING = None
    FAULTS.clear()
    paths = Corpus(out_dir / spec.rel for spec in specs)
    found: list[Fault] = []
    for i, (path, spec) in enumerate(zip(paths, specs)):
        fault = faulty.get(i)
        if fault:
            FAULTS[path] = fault
            found.append(Fault(path, fault))
        for (code, _), line in zip(cross.get(spec.rel, ()), lines.get(i, ())):
            found.append(Fault(path, code, line, cross=True))
    paths.faults = tuple(found)
    return paths


# what generate() writes, for the forked writers to inherit: (out_dir, specs, per-file
# faults by index, cross-document faults by file)
_WRITING: tuple[Path, list[FileSpec], dict[int, str], dict[str, list[tuple[str, str]]]] | None = None
WRITE_PARALLEL_MIN = 4000  # files: below it, forking costs more than it saves


def _write_all(count: int) -> dict[int, list[int]]:
    """Render and write every file (in two forked processes or more for a big corpus, where
    the platform forks; the bytes are the same either way); the line of each cross-document
    fault, by file index."""
    import multiprocessing
    import os

    workers = min(os.cpu_count() or 1, 8)
    if count < WRITE_PARALLEL_MIN or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return _write_range((0, count))
    assert _WRITING is not None
    for spec in _WRITING[1]:  # the directories first, so that no two writers race to make one
        (_WRITING[0] / spec.rel).parent.mkdir(parents=True, exist_ok=True)
    step = -(-count // (workers * 4))
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        lines: dict[int, list[int]] = {}
        for part in pool.imap_unordered(_write_range, [(start, min(count, start + step))
                                                       for start in range(0, count, step)]):
            lines.update(part)
    return lines


def _write_range(bounds: tuple[int, int]) -> dict[int, list[int]]:
    assert _WRITING is not None
    out_dir, specs, faulty, cross = _WRITING
    lines: dict[int, list[int]] = {}
    made: set[Path] = set()
    for i in range(*bounds):
        spec = specs[i]
        path = out_dir / spec.rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        text = spec.render(faulty.get(i))
        path.write_text(text, encoding="utf-8")
        if spec.rel in cross:
            lines[i] = [_line_of(text, key, CROSS_FIELDS[code]) for code, key in cross[spec.rel]]
    return lines


def plan_sets_supported() -> bool:
    """Whether this plancheck has the `plan-sets` option (each directory a glob matches,
    an independent plan set)."""
    from checker.config import OPTION_NAMES

    return "plan-sets" in OPTION_NAMES


def write_config(project: Path) -> Path:
    """The corpus's configuration, `project/plancheck.toml`: the plan set is `plans/`,
    and, where plancheck has the option, each municipality's directory an independent
    plan set (cross-document rules relate one city's documents, never two cities')."""
    lines = ["# the benchmark's corpus (bench/corpus.py): one directory per municipality", 'plans = ["plans"]']
    if plan_sets_supported():
        lines.append('plan-sets = ["plans/*"]')
    path = Path(project) / "plancheck.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# what a plan-data repository ignores: its tools' output, editors' and systems' files, and
# a few drafts directories (GitHub's Python template, in part, and what a city adds)
GITIGNORE = """\
__pycache__/
*.py[cod]
.venv/
venv/
build/
dist/
*.egg-info/
.pytest_cache/
.mypy_cache/
.ruff_cache/
.plancheck_cache/
htmlcov/
.coverage
*.log
.DS_Store
Thumbs.db
*.swp
*~
.idea/
.vscode/
~$*.xlsx
*.tmp
/exports/
/drafts/
**/scratch/
!plans/**/scratch/keep.yaml
"""


def write_repository(project: Path) -> None:
    """Make `project` a git repository (without committing anything) with a `.gitignore`
    such a repository has: the pre-commit hook always runs in one, and discovery reads
    its ignore files for every directory and file of the plan set."""
    import shutil
    import subprocess

    project = Path(project)
    if shutil.which("git") is not None:
        subprocess.run(["git", "init", "-q", str(project)], check=True)
    else:
        (project / ".git").mkdir(parents=True, exist_ok=True)  # what discovery takes for a repository's root
    (project / ".gitignore").write_text(GITIGNORE, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--files", type=int, required=True, help="number of plan files to write")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cross", type=int, default=0, metavar="N",
                        help="N inconsistencies across documents as well (XDOC001, XDOC002, UNIT004 in turn)")
    parser.add_argument("--faults", action="store_true", help="list the inconsistencies: code, file, line")
    parser.add_argument("--config", action="store_true",
                        help="write plancheck.toml beside OUT_DIR (plan-sets = [\"plans/*\"] where supported)")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    try:
        paths = generate(args.out_dir, args.files, args.seed, faults=args.cross)
    except FileExistsError as error:
        print(f"corpus: {error}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - began
    size = sum(path.stat().st_size for path in paths)
    print(f"wrote {len(paths)} files ({size / 1e6:.1f} MB, {len(paths.faults)} inconsistencies) "
          f"to {args.out_dir} in {elapsed:.2f}s", file=sys.stderr)
    if args.config:
        print(f"wrote {write_config(args.out_dir.parent)}", file=sys.stderr)
    if args.faults:
        for fault in paths.faults:
            print(f"{fault.code}\t{fault.path}\t{fault.line or ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
