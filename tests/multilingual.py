"""A multilingual fixture corpus and judged queries, written by code.

Used by ``tests/test_search_multilingual.py`` and by ``bench/eval_search.py`` (``make
eval-search``). The articles are short news items in English, Russian, Uzbek (Latin and
Cyrillic) and Tajik that spell the region's names in all their variants (Termez / Термезе /
Termiz / Термиз, Mazar-i-Sharif / Mazar-e-Sharif / Мазари-Шариф, ISIS-K / ISKP / ИГИЛ-Хорасан),
plus distractors that share parts of those names (Terme, Sharif University, ISIS in Syria,
Khorasan Razavi). Each file gets a sidecar with its title and language; two sidecars carry the
wrong language on purpose (Uzbek Cyrillic labelled ``ru``, Tajik labelled ``ky``), as py3langid
sometimes does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ARTICLES", "QUERIES", "FixtureArticle", "JudgedQuery", "write_corpus"]


@dataclass(frozen=True, slots=True)
class FixtureArticle:
    """One fixture article: a short name, its language label, title and body."""

    name: str
    language: str
    title: str
    body: str


@dataclass(frozen=True, slots=True)
class JudgedQuery:
    """A query and the names of the articles relevant to it."""

    query: str
    relevant: frozenset[str]


def _a(name: str, language: str, title: str, body: str) -> FixtureArticle:
    return FixtureArticle(name, language, title, " ".join(body.split()))


ARTICLES: tuple[FixtureArticle, ...] = (
    # --- Termez ---------------------------------------------------------------------------------
    _a(
        "en_termez_rockets",
        "en",
        "Rockets fired towards Termez from northern Afghanistan",
        """Several rockets were fired from Afghan territory towards the Uzbek city of Termez on
        Monday night. Uzbek officials said nobody was hurt and the shells fell in open fields
        near the border with Afghanistan.""",
    ),
    _a(
        "en_termez_airport",
        "en",
        "Termez airport to get new international routes",
        """Uzbekistan Airways will open flights from Termez to Istanbul and Dubai in spring. The
        southern city's airport was rebuilt last year, the regional governor said.""",
    ),
    _a(
        "ru_termez_obstrel",
        "ru",
        "Обстрел в районе Термеза",
        """Ночью несколько ракет упали в окрестностях Термеза. По данным пограничной службы,
        снаряды были выпущены с афганской стороны, жертв и разрушений в Термезе нет.""",
    ),
    _a(
        "ru_termez_most",
        "ru",
        "Грузы через мост Дружбы",
        """Через мост Дружбы под Термезом за месяц прошло более трёх тысяч вагонов с
        гуманитарной помощью. Таможенники работают круглосуточно.""",
    ),
    _a(
        "uz_termiz_savdo",
        "uz",
        "Termizda xalqaro savdo markazi ochildi",
        """Surxondaryo viloyatining markazi Termiz shahrida xalqaro savdo markazi ochildi.
        Markaz Afgʻoniston bilan savdoni kengaytirishga xizmat qiladi.""",
    ),
    _a(
        "uz_termiz_kirill",
        "ru",  # Uzbek Cyrillic mislabelled as Russian on purpose
        "Термиздаги кўприк таъмирланди",
        """Термиз шаҳри яқинидаги кўприк таъмирдан чиқарилди. Юк машиналари энди Ҳайратон
        орқали Афғонистонга тўхтовсиз ўтмоқда.""",
    ),
    _a(
        "tg_tirmiz",
        "ky",  # Tajik mislabelled as Kyrgyz on purpose
        "Роҳи оҳани Душанбе – Тирмиз",
        """Қатораи нави боркаш аз Душанбе ба Тирмиз роҳ ёфт. Вазорати нақлиёти Тоҷикистон
        гуфт, ки ин хат тиҷоратро бо Ӯзбекистон осон мекунад.""",
    ),
    # --- Mazar-i-Sharif -----------------------------------------------------------------------
    _a(
        "en_mazar_i",
        "en",
        "Blast at a mosque in Mazar-i-Sharif",
        """An explosion hit a Shia mosque in Mazar-i-Sharif during Friday prayers, the capital of
        Balkh province in northern Afghanistan. Local hospitals received dozens of wounded.""",
    ),
    _a(
        "en_mazar_e",
        "en",
        "Railway to Mazar-e-Sharif extended",
        """The railway line from Hairatan to Mazar-e-Sharif will be extended westwards, Afghan
        officials said after talks with Uzbek Railways.""",
    ),
    _a(
        "ru_mazar",
        "ru",
        "В Мазари-Шарифе открылся торговый дом",
        """Узбекские компании открыли торговый дом в Мазари-Шарифе. Товары доставляются по
        железной дороге из Термеза через Хайратан.""",
    ),
    _a(
        "uz_mazar",
        "uz",
        "Mozori Sharifda oʻzbek savdo uyi",
        """Oʻzbekiston kompaniyalari Mozori Sharif shahrida savdo uyi ochdi. Yuklar temir yoʻl
        orqali yetkaziladi.""",
    ),
    _a(
        "tg_mazar",
        "tg",
        "Ҳайати Тоҷикистон дар Мазори Шариф",
        """Ҳайати ҳукумати Тоҷикистон дар шаҳри Мазори Шариф бо намояндагони вилояти Балх
        мулоқот кард ва масъалаҳои тиҷоратро баррасӣ намуд.""",
    ),
    # --- ISIS-K ---------------------------------------------------------------------------------
    _a(
        "en_isisk",
        "en",
        "ISIS-K claims attack near the Uzbek border",
        """ISIS-K said in a statement that its fighters fired rockets across the Amu Darya. The
        group has recruited heavily among Central Asian migrants.""",
    ),
    _a(
        "en_iskp",
        "en",
        "ISKP propaganda in Central Asian languages",
        """Researchers found that ISKP now publishes magazines in Uzbek, Tajik and Russian to
        reach migrant workers abroad.""",
    ),
    _a(
        "en_isk",
        "en",
        "Analysts warn of IS-K resurgence",
        """IS-K has rebuilt its networks in northern Afghanistan despite Taliban raids, analysts
        in Washington said.""",
    ),
    _a(
        "en_iskp_long",
        "en",
        "Report on the Islamic State Khorasan Province",
        """A new United Nations report says the Islamic State Khorasan Province remains the most
        dangerous group in the region.""",
    ),
    _a(
        "ru_igil",
        "ru",
        "ИГИЛ-Хорасан взяла на себя ответственность",
        """Группировка ИГИЛ-Хорасан заявила о причастности к нападению. Эксперты отмечают
        рост вербовки среди мигрантов из Центральной Азии.""",
    ),
    _a(
        "ru_vilayat",
        "ru",
        "Вербовщики Вилаят Хорасан задержаны",
        """Спецслужбы задержали трёх вербовщиков, связанных с Вилаят Хорасан. Они искали
        сторонников в социальных сетях.""",
    ),
    _a(
        "uz_ishid",
        "uz",
        "IShID-Xuroson tarafdorlari hibsga olindi",
        """Xavfsizlik xizmati IShID-Xuroson guruhi bilan aloqador uch kishini hibsga oldi.
        Ular ijtimoiy tarmoqlarda targʻibot olib borgan.""",
    ),
    # --- Tashkent, Dushanbe, Hairatan, Surkhandarya, Uzbekistan --------------------------------
    _a(
        "en_tashkent",
        "en",
        "Tashkent hosts regional security talks",
        """Foreign ministers met in Tashkent to discuss border security and trade with
        Afghanistan.""",
    ),
    _a(
        "ru_tashkent",
        "ru",
        "Переговоры в Ташкенте",
        """В Ташкенте прошли переговоры министров иностранных дел о безопасности границ.""",
    ),
    _a(
        "uz_toshkent",
        "uz",
        "Toshkentda xavfsizlik boʻyicha muzokaralar",
        """Toshkentda tashqi ishlar vazirlari chegaralar xavfsizligini muhokama qildi.""",
    ),
    _a(
        "uz_toshkent_kirill",
        "uz",
        "Тошкентда янги метро бекатлари",
        """Тошкентда метронинг учта янги бекати очилди, деб хабар берди шаҳар ҳокимлиги.""",
    ),
    _a(
        "en_dushanbe",
        "en",
        "Dushanbe water supply restored",
        """Water supply in Dushanbe was restored after repairs to the main pipeline.""",
    ),
    _a(
        "ru_dushanbe",
        "ru",
        "В Душанбе восстановили водоснабжение",
        """Водоснабжение в Душанбе восстановлено после ремонта главного водовода.""",
    ),
    _a(
        "tg_dushanbe",
        "tg",
        "Шаҳри Душанбе об гирифт",
        """Пас аз таъмири қубури асосӣ шаҳри Душанберо бо об таъмин карданд.""",
    ),
    _a(
        "en_hairatan",
        "en",
        "Fuel convoys cross at Hairatan",
        """Hundreds of fuel trucks crossed into Afghanistan at Hairatan this week.""",
    ),
    _a(
        "ru_hairatan",
        "ru",
        "Очереди в Хайратане",
        """На пограничном переходе в Хайратане скопились сотни бензовозов.""",
    ),
    _a(
        "uz_oz_apostrophe",
        "uz",
        "O'zbekiston va Afg'oniston savdosi",
        """O'zbekiston Afg'oniston bilan savdo hajmini ikki baravar oshirdi.""",
    ),
    _a(
        "uz_oz_turned",
        "uz",
        "O‘zbekiston eksporti o‘sdi",
        """O‘zbekiston eksporti birinchi chorakda o‘n foizga o‘sdi.""",
    ),
    _a(
        "uz_oz_kirill",
        "uz",
        "Ўзбекистон газ экспорти",
        """Ўзбекистон газ экспортини қисқартирди, деб хабар берди вазирлик.""",
    ),
    _a(
        "ru_surkhandarya",
        "ru",
        "Паводки в Сурхандарье",
        """В Сурхандарье из-за ливней затоплены десятки домов.""",
    ),
    _a(
        "uz_surxondaryo",
        "uz",
        "Surxondaryoda sel",
        """Surxondaryo viloyatida kuchli yomgʻir tufayli oʻnlab uylarni suv bosdi.""",
    ),
    # --- Distractors ----------------------------------------------------------------------------
    _a(
        "en_terme",
        "en",
        "Hot springs of Terme di Saturnia draw record crowds",
        """The thermal baths at Terme di Saturnia in Tuscany welcomed record numbers of
        visitors this summer.""",
    ),
    _a(
        "en_sharif_university",
        "en",
        "Sharif University students win robotics prize",
        """A team from Sharif University of Technology in Tehran won an international robotics
        competition.""",
    ),
    _a(
        "en_isis_syria",
        "en",
        "ISIS cells active in eastern Syria",
        """Remnants of ISIS carried out several attacks on Kurdish-led forces in eastern Syria,
        monitors said.""",
    ),
    _a(
        "en_khorasan_razavi",
        "en",
        "Drought in Khorasan Razavi province",
        """Farmers in Iran's Khorasan Razavi province face a third year of drought, officials in
        Mashhad said.""",
    ),
    _a(
        "ru_islamic_state_iraq",
        "ru",
        "Исламское государство в Ираке",
        """Иракские военные провели операцию против ячеек Исламского государства в провинции
        Анбар.""",
    ),
    _a(
        "en_football",
        "en",
        "Pakhtakor wins the Uzbek football league",
        """Pakhtakor clinched the league title with a 2-0 win over Nasaf.""",
    ),
    _a(
        "ru_weather_moscow",
        "ru",
        "Погода в Москве",
        """В Москве ожидается снег и понижение температуры до минус десяти градусов.""",
    ),
)

_TERMEZ = frozenset(
    {
        "en_termez_rockets",
        "en_termez_airport",
        "ru_termez_obstrel",
        "ru_termez_most",
        "uz_termiz_savdo",
        "uz_termiz_kirill",
        "tg_tirmiz",
        "ru_mazar",  # goods come "из Термеза"
    }
)
_MAZAR = frozenset({"en_mazar_i", "en_mazar_e", "ru_mazar", "uz_mazar", "tg_mazar"})
_ISISK = frozenset(
    {"en_isisk", "en_iskp", "en_isk", "en_iskp_long", "ru_igil", "ru_vilayat", "uz_ishid"}
)
_TASHKENT = frozenset({"en_tashkent", "ru_tashkent", "uz_toshkent", "uz_toshkent_kirill"})
_DUSHANBE = frozenset({"en_dushanbe", "ru_dushanbe", "tg_dushanbe", "tg_tirmiz"})
_HAIRATAN = frozenset({"en_hairatan", "ru_hairatan", "en_mazar_e", "ru_mazar", "uz_termiz_kirill"})
_UZBEKISTAN = frozenset(
    {
        "uz_oz_apostrophe",
        "uz_oz_turned",
        "uz_oz_kirill",
        "uz_mazar",
        "en_termez_airport",  # Uzbekistan Airways
        "tg_tirmiz",  # Ӯзбекистон
    }
)
_SURKHANDARYA = frozenset({"ru_surkhandarya", "uz_surxondaryo", "uz_termiz_savdo"})


def _q(query: str, relevant: frozenset[str] | set[str]) -> JudgedQuery:
    return JudgedQuery(query, frozenset(relevant))


QUERIES: tuple[JudgedQuery, ...] = (
    _q("Termez", _TERMEZ),
    _q("termez", _TERMEZ),
    _q("Термез", _TERMEZ),
    _q("Термезе", _TERMEZ),
    _q("Termiz", _TERMEZ),
    _q("Термиз", _TERMEZ),
    _q("Mazar-i-Sharif", _MAZAR),
    _q("Mazar-e-Sharif", _MAZAR),
    _q("Мазари-Шариф", _MAZAR),
    _q("Mazari Sharif", _MAZAR),
    _q("ISIS-K", _ISISK),
    _q("ISKP", _ISISK),
    _q("IS-K", _ISISK),
    _q('"Islamic State Khorasan Province"', _ISISK),
    _q("ИГИЛ-Хорасан", _ISISK),
    _q('"Вилаят Хорасан"', _ISISK),
    _q("Tashkent", _TASHKENT),
    _q("Ташкент", _TASHKENT),
    _q("Toshkent", _TASHKENT),
    _q("Dushanbe", _DUSHANBE),
    _q("Душанбе", _DUSHANBE),
    _q("Hairatan", _HAIRATAN),
    _q("Хайратан", _HAIRATAN),
    _q("Oʻzbekiston", _UZBEKISTAN),
    _q("O'zbekiston", _UZBEKISTAN),
    _q("Ўзбекистон", _UZBEKISTAN),
    _q("Uzbekistan", _UZBEKISTAN),
    _q("Surkhandarya", _SURKHANDARYA),
    _q("Surxondaryo", _SURKHANDARYA),
    _q("rockets Termez", {"en_termez_rockets"}),
    _q("Termez Afghanistan", {"en_termez_rockets", "uz_termiz_savdo", "uz_termiz_kirill"}),
    _q("Sharif University", {"en_sharif_university"}),
    _q("Khorasan Razavi", {"en_khorasan_razavi"}),
    _q("Terme", {"en_terme"}),
    _q("Pakhtakor", {"en_football"}),
)


def write_corpus(folder: Path) -> dict[str, Path]:
    """Write each fixture article as ``NAME.txt`` (title, blank line, body) plus a sidecar."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for article in ARTICLES:
        path = folder / f"{article.name}.txt"
        path.write_text(f"{article.title}\n\n{article.body}\n", encoding="utf-8")
        sidecar = {"title": article.title, "language": article.language}
        Path(f"{path}.json").write_text(json.dumps(sidecar, ensure_ascii=False), encoding="utf-8")
        paths[article.name] = path
    return paths
