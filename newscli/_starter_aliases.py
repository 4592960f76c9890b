"""The starter alias list (``newscli/data/aliases.toml``) as tomllib reads it.

A search that finds no user alias file reads the starter list's text and, when it is
``TEXT``, takes ``DATA`` instead of importing tomllib (about 5 % of a cold search's
instructions). Made by ``python tests/test_analysis.py`` from the TOML file, which stays the
one to edit; ``tests/test_analysis.py`` checks that the two agree.
"""

from typing import Any

TEXT = (
    "# newscli name variants: a search for any spelling in a group also finds the others.\n"
    "#\n"
    "# Copy this file to aliases.toml beside your index folder or to\n"
    "# $XDG_CONFIG_HOME/newscli/aliases.toml (~/.config/newscli/aliases.toml) and edit it there.\n"
    "# A group in your file with the same name as one below replaces it; other groups are added.\n"
    "# Set `starter = false` at the top of your file to drop this starter list altogether.\n"
    "#\n"
    "# Spellings need not list every inflection or script: newscli already folds Cyrillic to Latin,\n"
    "# diacritics, apostrophes (oʻ/o'/o‘) and Russian case endings (Термезе -> Termez). List the\n"
    "# spellings folding cannot derive: other vowels (Termiz), other words (ISKP), other scripts'\n"
    "# abbreviations (ИГИЛ). Multi-word spellings are searched as phrases.\n"
    "\n"
    "[groups]\n"
    'Termez = ["Termez", "Termiz", "Термез", "Термиз", "Тирмиз"]\n'
    '"Mazar-i-Sharif" = ["Mazar-i-Sharif", "Mazar-e-Sharif", "Mazari Sharif", "Mazar-e Sharif", "Мазари-Шариф", "Мазар-и-Шариф", "Мозори Шариф", "Mozori Sharif", "Мазори Шариф", "Mazori Sharif"]\n'
    '"ISIS-K" = ["ISIS-K", "ISKP", "IS-K", "ISIL-K", "IS-KP", "Islamic State Khorasan Province", "Islamic State Khorasan", "Islamic State of Khorasan", "ИГИЛ-Хорасан", "ИГ-Хорасан", "Вилаят Хорасан", "Вилоят Хуросон", "Vilayat Khorasan", "Wilayat Khorasan", "IShID-Xuroson", "ИШИД-Хуросон"]\n'
    'Hairatan = ["Hairatan", "Hayratan", "Хайратан", "Ҳайратон", "Hayraton"]\n'
    'Surkhandarya = ["Surkhandarya", "Surxondaryo", "Сурхандарья", "Сурхондарё", "Surkhan Darya"]\n'
    'Tashkent = ["Tashkent", "Toshkent"]\n'
    'Tajikistan = ["Tajikistan", "Tojikiston", "Тоҷикистон"]\n'
    'Uzbekistan = ["Uzbekistan", "Oʻzbekiston", "Ўзбекистон", "Ӯзбекистон"]\n'
    'Afghanistan = ["Afghanistan", "Afgʻoniston", "Афғонистон"]\n'
    'Taliban = ["Taliban", "Талибан", "Толибон", "Tolibon"]\n'
    'Bukhara = ["Bukhara", "Buxoro", "Бухара", "Бухоро"]\n'
    'Kunduz = ["Kunduz", "Kondoz", "Кундуз", "Қундуз"]\n'
)

DATA: dict[str, Any] = {
    "groups": {
        "Termez": ["Termez", "Termiz", "Термез", "Термиз", "Тирмиз"],
        "Mazar-i-Sharif": [
            "Mazar-i-Sharif",
            "Mazar-e-Sharif",
            "Mazari Sharif",
            "Mazar-e Sharif",
            "Мазари-Шариф",
            "Мазар-и-Шариф",
            "Мозори Шариф",
            "Mozori Sharif",
            "Мазори Шариф",
            "Mazori Sharif",
        ],
        "ISIS-K": [
            "ISIS-K",
            "ISKP",
            "IS-K",
            "ISIL-K",
            "IS-KP",
            "Islamic State Khorasan Province",
            "Islamic State Khorasan",
            "Islamic State of Khorasan",
            "ИГИЛ-Хорасан",
            "ИГ-Хорасан",
            "Вилаят Хорасан",
            "Вилоят Хуросон",
            "Vilayat Khorasan",
            "Wilayat Khorasan",
            "IShID-Xuroson",
            "ИШИД-Хуросон",
        ],
        "Hairatan": ["Hairatan", "Hayratan", "Хайратан", "Ҳайратон", "Hayraton"],
        "Surkhandarya": [
            "Surkhandarya",
            "Surxondaryo",
            "Сурхандарья",
            "Сурхондарё",
            "Surkhan Darya",
        ],
        "Tashkent": ["Tashkent", "Toshkent"],
        "Tajikistan": ["Tajikistan", "Tojikiston", "Тоҷикистон"],
        "Uzbekistan": ["Uzbekistan", "Oʻzbekiston", "Ўзбекистон", "Ӯзбекистон"],
        "Afghanistan": ["Afghanistan", "Afgʻoniston", "Афғонистон"],
        "Taliban": ["Taliban", "Талибан", "Толибон", "Tolibon"],
        "Bukhara": ["Bukhara", "Buxoro", "Бухара", "Бухоро"],
        "Kunduz": ["Kunduz", "Kondoz", "Кундуз", "Қундуз"],
    }
}
