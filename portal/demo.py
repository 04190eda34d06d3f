"""A demo city hall, 桜ヶ丘市 (fictional), built through the org services so that it obeys the rules real data does.

Two steps, kept apart so that the shape of the city can be checked without a database:

- `make_plan(size)` decides everything — units, people, posts, roles, delegations — from a fixed seed, so the
  same size always gives the same city;
- `seed(size=...)` writes whatever of the plan is not in the database yet, through personnel/services.py, as
  the system (AccessContext.for_system). Running it again writes nothing.

Scale: at the default 2,000 staff the whole headquarters (本庁: 12 局, 27 部, 67 課, 162 係) is built, plus three
ward offices (区役所), each with its fire station and civil-engineering office (410 units). Larger sizes add
wards — one per 600 staff, up to 18, about 47 units each: 1,054 units at 10,000 staff, the real ratio of ~10 staff
per unit. Sizes below 2,000 trim the headquarters (fewer 課 per 部 and 係 per 課) so that every unit still has
its head.

Dates: posts started on 1 April of a fixed past year, so the plan does not depend on the day it is run. Only
delegations (代理) follow the calendar: they start on the day of the run, and a delegator who already has an
unrevoked delegation that has not ended is left alone — so a second run on the same day creates nothing, and a
run after the demo delegations have lapsed sets up fresh ones.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from django.contrib.auth import get_user_model
from faker import Faker

from personnel import access, services
from personnel.models import Assignment, Delegation, OrgUnit, Staff, UnitKind
from personnel.org import assignments_current

DEFAULT_SIZE = 2000
FULL_TREE_SIZE = 2000  # from this size on, every headquarters unit is built
DEMO_PASSWORD = "kessai-demo-2026"  # noqa: S105 - documented password of the demo accounts, not a secret
SEED = 2026
CITY_NAME = "桜ヶ丘市"
EMAIL_DOMAIN = "city.sakuragaoka.example.jp"
FIRST_EMPLOYEE_NUMBER = 100001
STAFF_PER_WARD = 600  # one more ward (~47 units) for every 600 staff beyond the headquarters

# --------------------------------------------------------------------------------------------------------
# The catalogue: 局 > 部 > 課 > 係 of the headquarters (本庁), then what each ward adds.
# --------------------------------------------------------------------------------------------------------

Sections = list[tuple[str, list[str]]]  # (課, [係, ...])
HEADQUARTERS: list[tuple[str, list[tuple[str, Sections]]]] = [
    (
        "総務局",
        [
            (
                "総務部",
                [
                    ("総務課", ["文書係", "法制係", "庶務係"]),
                    ("人事課", ["人事係", "給与係", "任用係"]),
                    ("職員課", ["厚生係", "研修係", "労務係"]),
                    ("総務事務センター", ["庶務審査係", "給与事務係", "旅費事務係"]),
                ],
            ),
            (
                "情報政策部",
                [
                    ("情報政策課", ["企画係", "情報システム係", "DX推進係"]),
                    ("情報セキュリティ課", ["セキュリティ係", "基盤運用係"]),
                ],
            ),
            ("危機管理部", [("危機管理課", ["危機管理係", "防災係", "国民保護係"])]),
        ],
    ),
    (
        "企画調整局",
        [
            (
                "政策部",
                [
                    ("企画課", ["企画係", "調整係", "統計係"]),
                    ("広報課", ["広報係", "広聴係", "報道係"]),
                ],
            ),
            (
                "地域創生部",
                [
                    ("地域創生課", ["地域創生係", "移住定住係"]),
                    ("国際交流課", ["国際交流係", "多文化共生係"]),
                ],
            ),
        ],
    ),
    (
        "財政局",
        [
            (
                "財政部",
                [
                    ("財政課", ["予算係", "財務係", "市債係"]),
                    ("契約課", ["契約係", "工事契約係", "検査係"]),
                    ("資産活用課", ["財産管理係", "庁舎管理係"]),
                ],
            ),
            (
                "税務部",
                [
                    ("税制課", ["税制係", "収納管理係"]),
                    ("市民税課", ["個人市民税係", "法人市民税係", "諸税係"]),
                    ("資産税課", ["土地係", "家屋係", "償却資産係"]),
                    ("納税課", ["納税第一係", "納税第二係", "滞納整理係"]),
                ],
            ),
        ],
    ),
    (
        "市民文化局",
        [
            (
                "市民部",
                [
                    ("市民課", ["住民記録係", "証明係", "戸籍係"]),
                    ("地域振興課", ["地域振興係", "市民活動係", "自治会支援係"]),
                    ("男女共同参画課", ["男女共同参画係", "相談係"]),
                ],
            ),
            (
                "文化スポーツ部",
                [
                    ("文化振興課", ["文化振興係", "文化財係"]),
                    ("スポーツ振興課", ["スポーツ振興係", "施設係"]),
                ],
            ),
        ],
    ),
    (
        "保健福祉局",
        [
            (
                "福祉部",
                [
                    ("福祉総務課", ["総務係", "監査指導係"]),
                    ("保護課", ["保護企画係", "保護指導係", "医療扶助係"]),
                    ("障害福祉課", ["障害福祉係", "自立支援係", "手帳係"]),
                    ("高齢者支援課", ["高齢福祉係", "地域包括ケア係"]),
                ],
            ),
            (
                "保険年金部",
                [
                    ("介護保険課", ["介護保険係", "認定係", "給付係"]),
                    ("国保年金課", ["国保資格係", "国保給付係", "年金係"]),
                ],
            ),
            (
                "保健衛生部",
                [
                    ("保健医療課", ["保健医療係", "感染症対策係"]),
                    ("健康推進課", ["健康づくり係", "母子保健係", "歯科保健係"]),
                    ("生活衛生課", ["食品衛生係", "環境衛生係", "動物愛護係"]),
                ],
            ),
        ],
    ),
    (
        "子ども家庭局",
        [
            (
                "子ども家庭部",
                [
                    ("子育て支援課", ["子育て支援係", "手当係", "医療助成係"]),
                    ("保育課", ["保育企画係", "入所係", "施設指導係"]),
                    ("子ども家庭相談課", ["相談係", "児童虐待対策係"]),
                ],
            ),
            ("青少年部", [("青少年課", ["青少年育成係", "放課後児童係"])]),
        ],
    ),
    (
        "環境局",
        [
            (
                "環境政策部",
                [
                    ("環境政策課", ["環境企画係", "温暖化対策係"]),
                    ("環境保全課", ["大気係", "水質係", "騒音振動係"]),
                ],
            ),
            (
                "循環社会部",
                [
                    ("循環社会推進課", ["ごみ減量係", "リサイクル係"]),
                    ("業務課", ["収集第一係", "収集第二係", "施設管理係"]),
                ],
            ),
        ],
    ),
    (
        "産業経済局",
        [
            (
                "産業振興部",
                [
                    ("産業政策課", ["産業政策係", "企業誘致係"]),
                    ("商業振興課", ["商業係", "中小企業支援係"]),
                    ("観光課", ["観光振興係", "コンベンション係"]),
                ],
            ),
            (
                "農林水産部",
                [
                    ("農政課", ["農政係", "農地係"]),
                    ("林務水産課", ["林務係", "水産係"]),
                ],
            ),
        ],
    ),
    (
        "建設局",
        [
            (
                "都市計画部",
                [
                    ("都市計画課", ["計画係", "地区計画係", "交通政策係"]),
                    ("建築指導課", ["建築審査係", "開発指導係"]),
                ],
            ),
            (
                "土木部",
                [
                    ("道路計画課", ["道路計画係", "用地係"]),
                    ("道路維持課", ["維持第一係", "維持第二係", "占用係"]),
                    ("河川課", ["河川計画係", "河川管理係"]),
                    ("公園緑地課", ["公園計画係", "公園管理係", "緑化推進係"]),
                ],
            ),
            (
                "住宅部",
                [
                    ("住宅政策課", ["住宅政策係", "住宅指導係"]),
                    ("市営住宅課", ["管理係", "入居係"]),
                ],
            ),
        ],
    ),
    (
        "上下水道局",
        [
            (
                "経営部",
                [
                    ("経営企画課", ["経営企画係", "総務係"]),
                    ("料金課", ["料金係", "収納係"]),
                ],
            ),
            (
                "施設部",
                [
                    ("浄水課", ["浄水係", "水質管理係"]),
                    ("下水道課", ["下水道計画係", "下水道管理係"]),
                ],
            ),
        ],
    ),
    (
        "消防局",
        [
            (
                "総務部",
                [
                    ("消防総務課", ["庶務係", "人事係", "経理係"]),
                    ("予防課", ["予防係", "危険物係"]),
                ],
            ),
            (
                "警防部",
                [
                    ("警防課", ["警防係", "消防団係"]),
                    ("救急課", ["救急係", "救急企画係"]),
                    ("指令課", ["指令第一係", "指令第二係"]),
                ],
            ),
        ],
    ),
    (
        "教育委員会事務局",
        [
            (
                "総務部",
                [
                    ("教育総務課", ["総務係", "企画係"]),
                    ("教職員課", ["人事係", "給与係"]),
                    ("学校施設課", ["施設計画係", "施設整備係"]),
                ],
            ),
            (
                "学校教育部",
                [
                    ("学校教育課", ["指導係", "学事係", "特別支援教育係"]),
                    ("生涯学習課", ["社会教育係", "図書館係", "青少年教育係"]),
                ],
            ),
        ],
    ),
]
FIRE_BUREAU = "消防局"
CONSTRUCTION_BUREAU = "建設局"

WARDS = [
    "中央",
    "東",
    "西",
    "南",
    "北",
    "港",
    "緑",
    "青葉",
    "若葉",
    "泉",
    "旭",
    "山手",
    "桜台",
    "浜風",
    "朝日",
    "森ヶ丘",
    "白浜",
    "大川",
]
WARD_OFFICE: list[tuple[str, Sections]] = [  # under 〇〇区役所 (a 局-level unit headed by the 区長)
    (
        "区民部",
        [
            ("総務課", ["庶務係", "地域協働係", "選挙係"]),
            ("市民課", ["住民記録係", "証明係", "戸籍係"]),
            ("保険年金課", ["国保係", "年金係", "医療助成係"]),
        ],
    ),
    (
        "保健福祉部",
        [
            ("福祉課", ["高齢者支援係", "障害者支援係"]),
            ("保護課", ["保護第一係", "保護第二係", "保護第三係", "保護指導係"]),
            ("子ども家庭課", ["子育て支援係", "家庭児童相談係"]),
            ("健康推進課", ["健康づくり係", "母子保健係"]),
        ],
    ),
]
FIRE_STATION: Sections = [  # under 消防局 > 〇〇消防署
    ("総務課", ["庶務係"]),
    ("警防課", ["警防第一係", "警防第二係", "救急係"]),
    ("予防課", ["予防係", "査察係"]),
]
CIVIL_ENGINEERING_OFFICE: Sections = [  # under 建設局 > 〇〇土木事務所
    ("管理課", ["管理係", "占用係"]),
    ("工務課", ["維持係", "工務係"]),
]
# Teams whose caseloads make them larger than the average 係.
LARGE_TEAMS = ("保護", "住民記録", "証明", "戸籍", "国保", "納税", "収集", "警防", "救急", "介護保険", "入所")

# --------------------------------------------------------------------------------------------------------
# The cast: accounts with memorable names, and who holds the functional roles.
# --------------------------------------------------------------------------------------------------------

_CITIZENS = ("市民文化局", "市民部", "市民課")
_GENERAL = ("総務局", "総務部")


@dataclass(frozen=True)
class KnownAccount:
    username: str
    description: str
    path: tuple[str, ...]  # names from the 局 down to the unit of the post
    position_code: str


KNOWN_ACCOUNTS = [
    KnownAccount("kakariin", "係員 (staff member)", (*_CITIZENS, "住民記録係"), "staff"),
    KnownAccount(
        "kakaricho", "係長 of kakariin's 係; acts for the 証明係長 today (代理)", (*_CITIZENS, "住民記録係"), "chief"
    ),
    KnownAccount("hosa", "課長補佐; acts for kacho today (代理)", _CITIZENS, "deputy_section_head"),
    KnownAccount("kacho", "課長 of 市民課; has delegated to hosa", _CITIZENS, "section_head"),
    KnownAccount("bucho", "部長 of 市民部", _CITIZENS[:2], "department_head"),
    KnownAccount("jinji", "人事担当 (HR clerk, Django admin)", (*_GENERAL, "人事課", "人事係"), "staff"),
    KnownAccount("zaimu", "財務担当 (finance)", ("財政局", "財政部", "財政課", "予算係"), "staff"),
    KnownAccount("shomu", "庶務センター (central processing)", (*_GENERAL, "総務事務センター", "庶務審査係"), "staff"),
    KnownAccount("bunsho", "文書管理者 (records manager)", (*_GENERAL, "総務課", "文書係"), "senior"),
    KnownAccount(
        "johoseisaku",
        "情報政策 (system admin, Django admin)",
        ("総務局", "情報政策部", "情報政策課", "情報システム係"),
        "senior",
    ),
]

# Everyone whose primary post is in one of these units (or under it) holds the role.
ROLE_UNITS: dict[access.Role, tuple[str, ...]] = {
    access.Role.HR: (*_GENERAL, "人事課"),
    access.Role.FINANCE: ("財政局", "財政部", "財政課"),
    access.Role.GENERAL_AFFAIRS: (*_GENERAL, "総務事務センター"),
    access.Role.RECORDS: (*_GENERAL, "総務課", "文書係"),
    access.Role.IT: ("総務局", "情報政策部", "情報政策課"),
}
CONCURRENT_POST_UNIT = ("総務局", "情報政策部", "情報政策課", "DX推進係")  # 兼務: DX推進員 from other 係
CONCURRENT_POST_START = date(2025, 10, 1)
# Sections that keep all their 係 when a small city trims the headquarters (the cast and the roles live there).
KEPT_SECTIONS = (
    {a.path[:3] for a in KNOWN_ACCOUNTS if len(a.path) >= 3}
    | {p[:3] for p in ROLE_UNITS.values()}
    | {CONCURRENT_POST_UNIT[:3]}
)
DELEGATION_REASONS = ["出張のため", "年次休暇のため", "研修受講のため", "病気休暇のため", "夏季休暇のため"]

# Faker's ja_JP lists hold 50 family names; these widen the pool so 10,000 people are not all 佐藤 or 鈴木.
EXTRA_FAMILY_NAMES = [
    ("松井", "マツイ", "Matsui"),
    ("野口", "ノグチ", "Noguchi"),
    ("菅原", "スガワラ", "Sugawara"),
    ("市川", "イチカワ", "Ichikawa"),
    ("杉山", "スギヤマ", "Sugiyama"),
    ("上田", "ウエダ", "Ueda"),
    ("原田", "ハラダ", "Harada"),
    ("和田", "ワダ", "Wada"),
    ("石田", "イシダ", "Ishida"),
    ("森田", "モリタ", "Morita"),
    ("内田", "ウチダ", "Uchida"),
    ("柴田", "シバタ", "Shibata"),
    ("酒井", "サカイ", "Sakai"),
    ("工藤", "クドウ", "Kudo"),
    ("横山", "ヨコヤマ", "Yokoyama"),
    ("宮崎", "ミヤザキ", "Miyazaki"),
    ("宮本", "ミヤモト", "Miyamoto"),
    ("高木", "タカギ", "Takagi"),
    ("安藤", "アンドウ", "Ando"),
    ("丸山", "マルヤマ", "Maruyama"),
    ("今井", "イマイ", "Imai"),
    ("河野", "コウノ", "Kono"),
    ("大野", "オオノ", "Ono"),
    ("小島", "コジマ", "Kojima"),
    ("久保", "クボ", "Kubo"),
    ("松尾", "マツオ", "Matsuo"),
    ("千葉", "チバ", "Chiba"),
    ("岩崎", "イワサキ", "Iwasaki"),
    ("桜井", "サクライ", "Sakurai"),
    ("野村", "ノムラ", "Nomura"),
    ("木下", "キノシタ", "Kinoshita"),
    ("菊地", "キクチ", "Kikuchi"),
    ("佐野", "サノ", "Sano"),
    ("大塚", "オオツカ", "Otsuka"),
    ("杉本", "スギモト", "Sugimoto"),
    ("平野", "ヒラノ", "Hirano"),
    ("古川", "フルカワ", "Furukawa"),
    ("新井", "アライ", "Arai"),
    ("小山", "コヤマ", "Koyama"),
    ("浅野", "アサノ", "Asano"),
]
EXTRA_GIVEN_NAMES = [
    ("大輔", "ダイスケ", "Daisuke", "m"),
    ("健太", "ケンタ", "Kenta", "m"),
    ("誠", "マコト", "Makoto", "m"),
    ("拓也", "タクヤ", "Takuya", "m"),
    ("雄一", "ユウイチ", "Yuichi", "m"),
    ("隆", "タカシ", "Takashi", "m"),
    ("博之", "ヒロユキ", "Hiroyuki", "m"),
    ("大樹", "ダイキ", "Daiki", "m"),
    ("蓮", "レン", "Ren", "m"),
    ("悠斗", "ユウト", "Yuto", "m"),
    ("恵", "メグミ", "Megumi", "f"),
    ("美咲", "ミサキ", "Misaki", "f"),
    ("由美", "ユミ", "Yumi", "f"),
    ("真由美", "マユミ", "Mayumi", "f"),
    ("愛", "アイ", "Ai", "f"),
    ("彩", "アヤ", "Aya", "f"),
    ("智子", "トモコ", "Tomoko", "f"),
    ("千尋", "チヒロ", "Chihiro", "f"),
    ("美穂", "ミホ", "Miho", "f"),
    ("葵", "アオイ", "Aoi", "f"),
]

# --------------------------------------------------------------------------------------------------------
# The plan
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitPlan:
    code: str
    name: str
    kind: UnitKind
    parent_code: str | None
    abbreviation: str
    extension: str
    path: tuple[str, ...]  # names from the 局 down (empty for the city); unique, unlike names
    sibling_index: int
    kept: bool  # survives trimming for small sizes


@dataclass(frozen=True)
class DelegationPlan:
    delegator: str  # employee numbers
    delegate: str
    days: int
    reason: str


@dataclass
class Plan:
    size: int
    units: list[UnitPlan]
    staff: list[services.StaffRow]
    assignments: list[services.AssignmentRow]
    roles: list[tuple[str, access.Role]]  # (employee number, role)
    delegations: list[DelegationPlan]
    accounts: dict[str, str]  # username -> employee number

    def units_of_kind(self, kind: UnitKind) -> list[UnitPlan]:
        return [u for u in self.units if u.kind == kind]


class DemoConflict(Exception):
    """The database holds org data that the plan cannot be laid over (e.g. a demo city of another size)."""


def _strip(name: str) -> str:
    for suffix in ("役所", "事務局", "事務所", "センター", "局", "部", "課", "係", "署"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


@dataclass
class _Node:
    name: str
    kind: UnitKind
    code: str
    parent: _Node | None
    path: tuple[str, ...]
    sibling_index: int
    prefix: str = ""  # ward units carry their ward in their abbreviation (中央市民 for 中央区役所 市民課)
    children: list[_Node] = field(default_factory=list)

    def add(self, name: str, kind: UnitKind, number: int, *, prefix: str | None = None) -> _Node:
        digits = {UnitKind.BUREAU: 0, UnitKind.DEPARTMENT: 2, UnitKind.SECTION: 4, UnitKind.SUBSECTION: 6}[kind]
        code = self.code[:digits] + f"{number:02d}" + self.code[digits + 2 :]
        child = _Node(
            name, kind, code, self, (*self.path, name), len(self.children), self.prefix if prefix is None else prefix
        )
        self.children.append(child)
        return child

    def walk(self) -> Iterator[_Node]:
        yield self
        for child in self.children:
            yield from child.walk()


def _add_sections(parent: _Node, sections: Sections) -> None:
    for s, (section, teams) in enumerate(sections, start=1):
        node = parent.add(section, UnitKind.SECTION, s)
        for t, team in enumerate(teams, start=1):
            node.add(team, UnitKind.SUBSECTION, t)


@functools.cache
def _catalogue() -> tuple[UnitPlan, ...]:
    """Every unit the demo can have (headquarters and all wards), in tree order, with codes (局 2 digits, 部 2,
    課 2, 係 2: 04010101 is 市民文化局 市民部 市民課 住民記録係) and city-wide unique abbreviations. Built for
    the largest city so that a unit keeps its code and abbreviation whatever the size."""
    city = _Node(CITY_NAME, UnitKind.CITY, "00000000", None, (), 0)
    bureaus: dict[str, _Node] = {}
    for b, (bureau, departments) in enumerate(HEADQUARTERS, start=1):
        node = bureaus[bureau] = city.add(bureau, UnitKind.BUREAU, b)
        for d, (department, sections) in enumerate(departments, start=1):
            _add_sections(node.add(department, UnitKind.DEPARTMENT, d), sections)
    for w, ward in enumerate(WARDS):
        office = city.add(f"{ward}区役所", UnitKind.BUREAU, 21 + w, prefix=ward)
        for d, (department, sections) in enumerate(WARD_OFFICE, start=1):
            _add_sections(office.add(department, UnitKind.DEPARTMENT, d), sections)
        station = bureaus[FIRE_BUREAU].add(f"{ward}消防署", UnitKind.DEPARTMENT, 11 + w, prefix=f"{ward}消防")
        _add_sections(station, FIRE_STATION)
        works = bureaus[CONSTRUCTION_BUREAU].add(f"{ward}土木事務所", UnitKind.DEPARTMENT, 11 + w, prefix=f"{ward}土木")
        _add_sections(works, CIVIL_ENGINEERING_OFFICE)
    nodes = sorted(city.walk(), key=lambda n: n.code)  # tree order: a parent's code sorts before its children's
    abbreviations = _abbreviate(nodes)
    return tuple(
        UnitPlan(
            code=n.code,
            name=n.name,
            kind=n.kind,
            parent_code=n.parent.code if n.parent else None,
            abbreviation=abbreviations[n.code],
            extension=str(2000 + i),
            path=n.path,
            sibling_index=n.sibling_index,
            kept=n.path[:3] in KEPT_SECTIONS,
        )
        for i, n in enumerate(nodes)
    )


def _abbreviate(nodes: list[_Node]) -> dict[str, str]:
    """Short labels for decision numbers (2026-人事-000123), unique across the city. 課 choose first since most
    documents are drafted there, then 係, then 部 and 局. A ward's units carry the ward (中央市民 for 中央区役所
    市民課); a label already taken gets its parent's name in front (教職員人事 for 教職員課 人事係), and failing
    that the full name (人事係 beside 人事課)."""
    taken: set[str] = set()
    result: dict[str, str] = {}
    order = [UnitKind.SECTION, UnitKind.SUBSECTION, UnitKind.DEPARTMENT, UnitKind.BUREAU, UnitKind.CITY]
    for kind in order:
        for node in (n for n in nodes if n.kind == kind):
            base = _strip(node.name)
            own = base if base.startswith(node.prefix) else node.prefix + base
            parent = node.parent.name if node.parent and node.parent.parent else ""
            candidates = [own]
            if kind in (UnitKind.SECTION, UnitKind.SUBSECTION) and parent and _strip(parent) != base:
                candidates.append(node.prefix + _strip(parent).removeprefix(node.prefix) + base)
            candidates += [node.name, node.prefix + node.name, _strip(parent) + node.name]
            candidates += [f"{node.name}{i}" for i in range(2, 100)]
            label = next(c for c in candidates if c not in taken and len(c) <= 20)
            taken.add(label)
            result[node.code] = label
    return result


def ward_count(size: int) -> int:
    if size < FULL_TREE_SIZE:
        return 0
    return max(1, min(len(WARDS), round(size / STAFF_PER_WARD)))


def plan_units(size: int) -> list[UnitPlan]:
    """The units of a city of `size` staff, parents before children."""
    catalogue = _catalogue()
    wards = {f"{w}区役所" for w in WARDS[: ward_count(size)]}
    ward_departments = {f"{w}{kind}" for w in WARDS[: ward_count(size)] for kind in ("消防署", "土木事務所")}
    all_wards = {f"{w}区役所" for w in WARDS}
    all_ward_departments = {f"{w}{kind}" for w in WARDS for kind in ("消防署", "土木事務所")}
    share = min(1.0, size / FULL_TREE_SIZE)
    siblings: dict[str | None, int] = {}
    for unit in catalogue:
        siblings[unit.parent_code] = siblings.get(unit.parent_code, 0) + 1

    def wanted(unit: UnitPlan) -> bool:
        if unit.path[:1] and unit.path[0] in all_wards:
            return unit.path[0] in wards
        if len(unit.path) >= 2 and unit.path[1] in all_ward_departments:
            return unit.path[1] in ward_departments
        if unit.kind in (UnitKind.SECTION, UnitKind.SUBSECTION) and not unit.kept:
            return unit.sibling_index < max(1, math.ceil(siblings[unit.parent_code] * share))
        return True

    chosen: list[UnitPlan] = []
    codes: set[str | None] = {None}
    for unit in catalogue:
        if unit.parent_code in codes and wanted(unit):
            chosen.append(unit)
            codes.add(unit.code)
    return chosen


@dataclass
class _Slot:
    unit: UnitPlan
    position_code: str
    username: str = ""
    start: date = date.min
    number: str = ""


_HEAD = {
    UnitKind.BUREAU: "bureau_head",  # a ward office's 区長 holds the 局長 post
    UnitKind.DEPARTMENT: "department_head",  # so do a fire station's 署長 and a works office's 所長 the 部長 post
    UnitKind.SECTION: "section_head",
    UnitKind.SUBSECTION: "chief",
}
_MEMBER = ("staff", "senior")


def _head_slots(units: list[UnitPlan], rng: random.Random) -> list[_Slot]:
    """市長 and two 副市長, the head of every unit, and a 課長補佐 in about 40% of 課 (always in the cast's)."""
    city = units[0]
    slots = [_Slot(city, "mayor"), _Slot(city, "deputy_mayor"), _Slot(city, "deputy_mayor")]
    slots += [_Slot(unit, _HEAD[unit.kind]) for unit in units[1:]]
    sections = [u for u in units if u.kind == UnitKind.SECTION]
    deputies = {u.code for u in sections if rng.random() < 0.4} | {u.code for u in sections if u.path == _CITIZENS}
    slots += [_Slot(u, "deputy_section_head") for u in sections if u.code in deputies]
    return slots


def minimum_size(size: int) -> int:
    """The fewest staff that can fill the tree planned for `size`: every head, and one member per 係."""
    units = plan_units(size)
    teams = sum(1 for u in units if u.kind == UnitKind.SUBSECTION)
    return len(_head_slots(units, random.Random(SEED))) + teams  # noqa: S311 - demo data, not secrets


def make_plan(size: int = DEFAULT_SIZE) -> Plan:
    """Everything the demo city holds at `size` staff. Deterministic: the same size gives the same city."""
    units = plan_units(size)
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    slots = _head_slots(units, rng)
    teams = [u for u in units if u.kind == UnitKind.SUBSECTION]
    members = size - len(slots)
    if members < len(teams):
        raise ValueError(f"a demo city needs at least {len(slots) + len(teams)} staff (every unit needs its head)")

    # The rest fill the 係, larger teams taking more (largest-remainder shares of random weights).
    weights = [(2.0 if any(w in t.name for w in LARGE_TEAMS) else 1.0) * rng.uniform(0.7, 1.3) for t in teams]
    spare = members - len(teams)
    shares = [spare * w / sum(weights) for w in weights]
    counts = [1 + math.floor(share) for share in shares]
    by_remainder = sorted(range(len(teams)), key=lambda i: math.floor(shares[i]) - shares[i])
    for i in by_remainder[: members - sum(counts)]:
        counts[i] += 1
    for team, count in zip(teams, counts, strict=True):
        slots += [_Slot(team, "senior" if rng.random() < 0.3 else "staff") for _ in range(count)]

    # The cast takes posts that exist: a head's post, or a member's post given the position asked for.
    by_path = {u.path: u for u in units}
    for account in KNOWN_ACCOUNTS:
        unit = by_path[account.path]
        wanted = _MEMBER if account.position_code in _MEMBER else (account.position_code,)
        slot = next(s for s in slots if s.unit is unit and not s.username and s.position_code in wanted)
        slot.username, slot.position_code = account.username, account.position_code

    numbers = [str(FIRST_EMPLOYEE_NUMBER + i) for i in range(size)]
    rng.shuffle(numbers)  # employee numbers follow hiring, not the org chart
    for slot, number in zip(slots, numbers, strict=True):
        slot.number = number
        # Posts begin on 1 April (the yearly rotation, 人事異動) of a fixed past year: see the module docstring.
        slot.start = date(rng.randint(2019 if slot.position_code in _MEMBER else 2022, 2025), 4, 1)

    assignments = [services.AssignmentRow(s.number, s.unit.code, s.position_code, s.start) for s in slots]
    assignments += _previous_posts(slots, units, rng)
    assignments += _concurrent_posts(slots, by_path, rng, size)
    return Plan(
        size=size,
        units=units,
        staff=list(_people(slots, rng)),
        assignments=assignments,
        roles=_roles(slots),
        delegations=_delegations(slots, by_path, rng, size),
        accounts={s.username: s.number for s in slots if s.username},
    )


def _people(slots: list[_Slot], rng: random.Random) -> Iterator[services.StaffRow]:
    fake = Faker("ja_JP")
    fake.seed_instance(SEED)
    for slot in slots:
        if rng.random() < 0.25:
            family = rng.choice(EXTRA_FAMILY_NAMES)
        else:
            family = fake.last_name_pair()
        female = rng.random() < 0.45
        if rng.random() < 0.3:
            given = rng.choice([g[:3] for g in EXTRA_GIVEN_NAMES if (g[3] == "f") == female])
        else:
            given = fake.first_name_female_pair() if female else fake.first_name_male_pair()
        yield services.StaffRow(
            employee_number=slot.number,
            family_name=family[0],
            given_name=given[0],
            family_name_kana=family[1],
            given_name_kana=given[1],
            extension=slot.unit.extension,
            email=f"{given[2].lower()}.{family[2].lower()}.{slot.number}@{EMAIL_DOMAIN}",
            username=slot.username,
        )


_PREVIOUS = {  # the post held before the current one: one step down, somewhere else
    "staff": ("staff", UnitKind.SUBSECTION),
    "senior": ("staff", UnitKind.SUBSECTION),
    "chief": ("senior", UnitKind.SUBSECTION),
    "deputy_section_head": ("chief", UnitKind.SUBSECTION),
    "section_head": ("deputy_section_head", UnitKind.SECTION),
    "department_head": ("section_head", UnitKind.SECTION),
    "bureau_head": ("department_head", UnitKind.DEPARTMENT),
}


def _previous_posts(slots: list[_Slot], units: list[UnitPlan], rng: random.Random) -> list[services.AssignmentRow]:
    """Half of those who moved in the last three rotations (人事異動) get their former post, now ended."""
    by_kind = {kind: [u for u in units if u.kind == kind] for kind in UnitKind}
    rows = []
    for slot in slots:
        if slot.position_code not in _PREVIOUS or slot.start.year < 2023 or rng.random() < 0.5:
            continue
        position, kind = _PREVIOUS[slot.position_code]
        unit = rng.choice([u for u in by_kind[kind] if u is not slot.unit] or by_kind[kind])
        start = slot.start.replace(year=slot.start.year - 3)
        rows.append(services.AssignmentRow(slot.number, unit.code, position, start, slot.start - timedelta(days=1)))
    return rows


def _concurrent_posts(
    slots: list[_Slot], by_path: dict[tuple[str, ...], UnitPlan], rng: random.Random, size: int
) -> list[services.AssignmentRow]:
    """兼務: a few members of other 係 also serve in DX推進係 (DX推進員), as city halls do for digital projects."""
    target = by_path[CONCURRENT_POST_UNIT]
    home = CONCURRENT_POST_UNIT[:3]
    pool = [s for s in slots if s.position_code in ("staff", "senior") and s.unit.path[:3] != home and not s.username]
    chosen = rng.sample(pool, max(2, size // 500))
    return [
        services.AssignmentRow(s.number, target.code, s.position_code, CONCURRENT_POST_START, is_primary=False)
        for s in sorted(chosen, key=lambda s: s.number)
    ]


def _roles(slots: list[_Slot]) -> list[tuple[str, access.Role]]:
    grants = []
    for role, path in ROLE_UNITS.items():
        for slot in slots:
            if slot.unit.path[: len(path)] == path:
                grants.append((slot.number, role))
    return grants


def _delegations(
    slots: list[_Slot], by_path: dict[tuple[str, ...], UnitPlan], rng: random.Random, size: int
) -> list[DelegationPlan]:
    """代理: the cast's two (kacho → hosa, the 証明係長 → kakaricho) and a few more 課長 → 課長補佐."""
    cast = {s.username: s for s in slots if s.username}
    certificates = by_path[(*_CITIZENS, "証明係")]
    chief = next(s for s in slots if s.unit is certificates and s.position_code == "chief")
    plans = [
        DelegationPlan(cast["kacho"].number, cast["hosa"].number, 5, "出張のため"),
        DelegationPlan(chief.number, cast["kakaricho"].number, 3, "年次休暇のため"),
    ]
    used = {p.delegator for p in plans} | {p.delegate for p in plans}
    heads = {s.unit.code: s for s in slots if s.position_code == "section_head"}
    deputies = [s for s in slots if s.position_code == "deputy_section_head" and s.number not in used]
    for deputy in rng.sample(deputies, min(len(deputies), max(1, size // 500))):
        head = heads[deputy.unit.code]
        if head.number not in used:
            used |= {head.number, deputy.number}
            plans.append(DelegationPlan(head.number, deputy.number, rng.randint(3, 14), rng.choice(DELEGATION_REASONS)))
    return plans


# --------------------------------------------------------------------------------------------------------
# Writing the plan through the services
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountLine:
    username: str
    name: str
    unit: str
    position: str
    description: str


@dataclass
class SeedReport:
    size: int
    created: dict[str, int]
    unchanged: dict[str, int]
    accounts: list[AccountLine]

    @property
    def total_created(self) -> int:
        return sum(self.created.values())


def seed(
    *,
    size: int = DEFAULT_SIZE,
    today: date | None = None,
    password: str = DEMO_PASSWORD,
    progress: Callable[[str], object] | None = None,
) -> SeedReport:
    """Write what of `make_plan(size)` is missing, through the services, as the system. Idempotent."""
    say = progress or (lambda _message: None)
    ctx = access.AccessContext.for_system(today=today)
    plan = make_plan(size)
    _refuse_conflicts(plan)
    created: dict[str, int] = {}
    unchanged: dict[str, int] = {}
    steps = [
        ("units", _create_units),
        ("staff", _import_staff),
        ("assignments", _import_assignments),
        ("role grants", _grant_roles),
        ("delegations", _delegate),
        ("leave requests", _file_leave),
        ("payroll inputs", _file_payroll),
    ]
    for label, step in steps:
        created[label], unchanged[label] = step(plan, ctx, password)
        say(f"{label}: {created[label]} created, {unchanged[label]} already in place")
    return SeedReport(size=size, created=created, unchanged=unchanged, accounts=_account_lines(plan, ctx))


def _create_units(plan: Plan, ctx: access.AccessContext, _password: str) -> tuple[int, int]:
    known = dict(OrgUnit.objects.filter(code__in=[u.code for u in plan.units]).values_list("code", "pk"))
    before = len(known)
    for unit in plan.units:  # parents come first in the plan
        if unit.code in known:
            continue
        made = services.orgunit_create(
            actor=None,
            ctx=ctx,
            parent=OrgUnit.objects.get(pk=known[unit.parent_code]) if unit.parent_code else None,
            code=unit.code,
            name=unit.name,
            kind=unit.kind,
            abbreviation=unit.abbreviation,
            extension=unit.extension,
        )
        known[unit.code] = made.pk
    return len(known) - before, before


def _import_staff(plan: Plan, ctx: access.AccessContext, password: str) -> tuple[int, int]:
    numbers = [r.employee_number for r in plan.staff]
    registered = set(Staff.objects.filter(employee_number__in=numbers).values_list("employee_number", flat=True))
    new = [r for r in plan.staff if r.employee_number not in registered]
    if not new:  # the import writes an audit entry even when it changes nothing, so only call it with work
        return 0, len(registered)
    return services.staff_import(actor=None, ctx=ctx, rows=new, password=password).created, len(registered)


def _assignment_key(row: services.AssignmentRow) -> tuple:
    return (row.employee_number, row.unit_code, row.position_code, row.start_date, row.end_date, row.is_primary)


def _import_assignments(plan: Plan, ctx: access.AccessContext, _password: str) -> tuple[int, int]:
    held = set(
        Assignment.objects.filter(staff__employee_number__in=[r.employee_number for r in plan.staff]).values_list(
            "staff__employee_number", "unit__code", "position__code", "start_date", "end_date", "is_primary"
        )
    )
    new = [r for r in plan.assignments if _assignment_key(r) not in held]
    if not new:
        return 0, len(plan.assignments)
    return services.assignment_import(actor=None, ctx=ctx, rows=new).created, len(plan.assignments) - len(new)


def _grant_roles(plan: Plan, ctx: access.AccessContext, _password: str) -> tuple[int, int]:
    numbers = {number for number, _role in plan.roles}
    staff = {s.employee_number: s for s in Staff.objects.filter(employee_number__in=numbers)}
    memberships = get_user_model().groups.through.objects.filter(user__staff__employee_number__in=numbers)
    held = set(memberships.values_list("user__staff__employee_number", "group__name"))
    admins = set(
        Staff.objects.filter(employee_number__in=numbers, user__is_staff=True).values_list("employee_number", flat=True)
    )
    created = 0
    for number, role in plan.roles:
        if (number, role.value) in held and (role not in services.ADMIN_SITE_ROLES or number in admins):
            continue  # nothing to do: skip the service's transaction
        created += services.staff_grant_role(actor=None, ctx=ctx, staff=staff[number], role=role)
        if role in services.ADMIN_SITE_ROLES:
            admins.add(number)
    return created, len(plan.roles) - created


def _delegate(plan: Plan, ctx: access.AccessContext, _password: str) -> tuple[int, int]:
    numbers = {n for p in plan.delegations for n in (p.delegator, p.delegate)}
    staff = {s.employee_number: s for s in Staff.objects.filter(employee_number__in=numbers, user__is_active=True)}
    on_duty = set(
        assignments_current(on=ctx.today)
        .filter(staff__employee_number__in=numbers)
        .values_list("staff__employee_number", flat=True)
    )
    # Anyone who has delegated and whose delegation is not over (active, or still to come) is left alone: the
    # demo delegation made by an earlier run, or one set up by hand since. A lapsed one is replaced.
    away = set(
        Delegation.objects.filter(
            delegator__employee_number__in=numbers, end_date__gte=ctx.today, revoked_at__isnull=True
        ).values_list("delegator__employee_number", flat=True)
    )
    created = 0
    for p in plan.delegations:
        if p.delegator in away or p.delegate in away or not {p.delegator, p.delegate} <= on_duty & staff.keys():
            continue
        services.delegation_create(
            actor=None,
            ctx=ctx,
            delegator=staff[p.delegator],
            delegate=staff[p.delegate],
            start_date=ctx.today,
            end_date=ctx.today + timedelta(days=p.days - 1),
            reason=p.reason,
        )
        away.add(p.delegator)
        created += 1
    return created, len(plan.delegations) - created


def _file_leave(plan: Plan, ctx: access.AccessContext, _password: str) -> tuple[int, int]:
    """Leave in flight, so the queues show something on the first login, filed and approved through the
    services like real requests: kakariin's request waits for kakaricho; three requests from 市民課 staff
    wait for kacho's decision (one tap or 一括承認; hosa sees them as kacho's delegate); kakariin has one
    decided half day. Skipped once kakariin has any document."""
    from approvals import services as approval_services
    from approvals.models import Document
    from leave.models import LeaveType, LeaveUnit
    from leave.rules import working_days
    from leave.services import leave_request_file

    users = {u.username: u for u in get_user_model().objects.filter(username__in=("kakariin", "kacho"))}
    if len(users) < 2 or not hasattr(users["kakariin"], "staff"):
        return 0, 0
    existing = Document.objects.filter(applicant__user=users["kakariin"]).count()
    if existing:
        return 0, existing
    section = assignments_current(on=ctx.today).filter(staff__user=users["kacho"]).select_related("unit").first()
    if section is None:
        return 0, 0
    others = list(
        assignments_current(on=ctx.today)
        .filter(unit__path__startswith=section.unit.path, position__rank=1, is_primary=True)
        .exclude(staff__user=users["kakariin"])
        .filter(staff__user__is_active=True)
        .select_related("staff__user")
        .order_by("staff__employee_number")[:3]
    )
    days = working_days(ctx.today + timedelta(days=7), ctx.today + timedelta(days=60))
    office = access.AccessContext.office(today=ctx.today)

    def file(user, day: date, unit: str = LeaveUnit.DAY, half: str = ""):  # noqa: ANN001, ANN202
        return leave_request_file(
            actor=user,
            ctx=office,
            leave_type=LeaveType.ANNUAL,
            unit=unit,
            start_date=day,
            end_date=day,
            half=half,
            reason="私用のため",
        )

    def approve_until(document: Document, *, decide: bool) -> None:
        while True:
            slot = document.slots.filter(state="pending").select_related("staff__user", "step").first()
            if slot is None or (slot.step.is_decision and not decide):
                return
            approval_services.slot_approve(slot=slot, actor=slot.staff.user, ctx=office)

    created = 0
    file(users["kakariin"], days[0])
    created += 1
    for assignment, day in zip(others, days[1:], strict=False):
        approve_until(file(assignment.staff.user, day), decide=False)
        created += 1
    approve_until(file(users["kakariin"], days[4], LeaveUnit.HALF_DAY, "am"), decide=True)
    return created + 1, 0


def _file_payroll(plan: Plan, ctx: access.AccessContext, _password: str) -> tuple[int, int]:
    """The 総務ワークステーション on the first login: kakariin's monthly salary (so the overtime estimate shows),
    overtime ordered the day before yesterday for yesterday evening and reported, both decided (the 庶務センター's
    shomu finds them to check), and an order for tomorrow waiting for kakaricho. Through the services, as the
    staff would file them. Skipped once kakariin has an overtime order."""
    from approvals import services as approval_services
    from approvals.models import Document
    from payroll import services as payroll_services
    from payroll.models import Salary

    user = get_user_model().objects.filter(username="kakariin").first()
    if user is None or not hasattr(user, "staff"):
        return 0, 0
    existing = Document.objects.filter(applicant__user=user, doc_type="ot_order").count()
    if existing:
        return 0, existing
    yesterday, tomorrow = ctx.today - timedelta(days=1), ctx.today + timedelta(days=1)
    payroll_services.rule_save(
        actor=None,
        ctx=ctx,
        rule=Salary(staff=user.staff),
        values={"effective_from": date(ctx.today.year - 1, 4, 1), "base": 248_000, "regional": 24_800},
    )

    def decided(document: Document, office: access.AccessContext) -> None:
        while (slot := document.slots.filter(state="pending").select_related("staff__user").first()) is not None:
            approval_services.slot_approve(slot=slot, actor=slot.staff.user, ctx=office)

    before = access.AccessContext.office(today=yesterday - timedelta(days=1))
    office = access.AccessContext.office(today=ctx.today)
    order = {"planned_start": time(17, 30), "planned_end": time(22, 30), "reason": "窓口システム更新の準備"}
    decided(
        approval_services.document_file(
            actor=user, ctx=before, doc_type="ot_order", data={"work_date": yesterday, **order}
        ),
        before,
    )
    decided(
        approval_services.document_file(
            actor=user,
            ctx=office,
            doc_type="ot_report",
            data={
                "work_date": yesterday,
                "start_time": time(17, 30),
                "end_time": time(22, 45),
                "work": "窓口システム更新の準備（データ移行の確認）",
            },
        ),
        office,
    )
    approval_services.document_file(actor=user, ctx=office, doc_type="ot_order", data={"work_date": tomorrow, **order})
    return 4, 0


def _refuse_conflicts(plan: Plan) -> None:
    """Refuse before writing anything when the database holds another city under the plan's numbers or codes
    (a demo built with another --size, or real data): laying this plan over it would mix two org charts."""
    planned = {(r.employee_number, r.unit_code, r.position_code) for r in plan.assignments if r.is_primary}
    held = Assignment.objects.filter(
        staff__employee_number__in=[r.employee_number for r in plan.staff], end_date__isnull=True, is_primary=True
    ).values_list("staff__employee_number", "unit__code", "position__code")
    clashes = [
        f"employee {n} holds {position} in unit {unit}"
        for n, unit, position in held
        if (n, unit, position) not in planned
    ]
    names = {u.code: u.name for u in plan.units}
    units = OrgUnit.objects.filter(code__in=list(names)).values_list("code", "name")
    clashes += [f"unit {code} is {name}" for code, name in units if names[code] != name]
    other_roots = OrgUnit.get_root_nodes().exclude(code=plan.units[0].code).values_list("name", flat=True)[:1]
    clashes += [f"another root unit, {name}" for name in other_roots]
    if clashes:
        raise DemoConflict(
            f"This database already holds a different organisation ({clashes[0]}): a demo city built with another "
            "--size, or real data. Seed the demo into an empty database (see DATABASE_URL)."
        )


def _account_lines(plan: Plan, ctx: access.AccessContext) -> list[AccountLine]:
    posts = {
        a.staff.employee_number: a
        for a in assignments_current(on=ctx.today)
        .filter(staff__employee_number__in=plan.accounts.values(), is_primary=True)
        .select_related("staff", "unit", "position")
    }
    lines = []
    for account in KNOWN_ACCOUNTS:
        post = posts.get(plan.accounts[account.username])
        if post is not None:
            lines.append(
                AccountLine(
                    account.username, post.staff.full_name, post.unit.name, post.position.name, account.description
                )
            )
    return lines
