"""What the 2021 Board report states, transcribed by hand from the report (the Chinese source
and its English outline): the expected value of every figure, independent of Greenfolio's
code. Nothing is read from outside the repository."""

from __future__ import annotations

import re

# figure id -> (value, qualifier) or a list of ISO alpha-3 codes
EXPECTED: dict[str, tuple[float, str] | list[str]] = {
    "core_functions": (4, "exact"),
    "focus_areas": (3, "exact"),
    "page_recovery_countries": ["BRA", "THA", "URY"],
    "healthcare_waste_countries": ["BLZ", "CHN", "IND", "SEN"],
    "emobility_countries": ["ALB", "JOR", "PHL", "TUN"],
    "emobility_pipeline": (5, "exact"),
    "eip_strategies": (1, "exact"),
    "biogas_countries": ["BRA"],
    "circular_projects": (1, "exact"),
    "circular_value_chains": (3, "exact"),
    "resource_efficiency_countries": ["DZA"],
    "ewaste_informal_countries": ["PHL"],
    "gcip_new_projects": (11, "exact"),
    "gcip_adaptation_countries": ["COD", "SLE"],
    "biochar_countries": ["IDN", "KHM", "NPL", "PHL", "VNM"],
    "pops_destroyed": (13194, "exact"),
    "pops_safeguarded": (73562, "exact"),
    "upops_avoided": (119489, "exact"),
    "upops_safeguarded": (11705, "exact"),
    "refrigeration_elearning_countries": (9, "exact"),
    "ods_phased_out": (700, "more_than"),
    "co2_avoided": (72_000_000, "about"),
    "mia_completed": (22, "exact"),
    "mia_under_way": (5, "exact"),
    "nap_completed": (4, "exact"),
    "nap_under_way": (7, "exact"),
    "planetgold_countries": ["BFA", "MNG", "PHL"],
    "women_countries": ["KHM", "PER", "SEN", "ZAF"],
    "minigrid_publications": (1, "exact"),
    "eip_parks": (50, "exact"),
    "eip_countries": (8, "exact"),
    "chemical_leasing_publications": (1, "exact"),
    "shp_experts": (80, "about"),
    "shp_institutions": (40, "exact"),
    "parliament_roundtables": (30, "more_than"),
    "parliament_members": (300, "more_than"),
    "parliament_women": (100, "exact"),
    "ewaste_latam_countries": (13, "exact"),
    "pops_policies": (231, "exact"),
    "policy_briefs": (2, "exact"),
    "circular_alliances": (1, "exact"),
    "vef_speakers": (500, "more_than"),
    "vef_participants": (1500, "exact"),
    "gcf_accreditations": (1, "exact"),
}

# Dates the source states, by paragraph, as the outline gives them ("(March 2021)",
# "July 2020 – June 2021", "20 August 2020"), written YYYY, YYYY-MM or YYYY-MM-DD.
DATES: dict[int, set[str]] = {
    5: {"2021-03"},  # Ukraine's National Economic Strategy 2030 (March 2021)
    12: {"2020"},  # the Montreal Protocol portfolio's impact in 2020
    14: {"2021-03"},  # synthesis report to CSW65 (March 2021)
    15: {"2021-03"},  # mini-grid guide (March 2021)
    16: {"2020-12", "2021-01"},  # EIP lessons learnt (Dec 2020); EIP Framework 2.0 (Jan 2021)
    19: {"2020-07", "2021-06"},  # parliamentary engagement, July 2020 – June 2021
    21: {"2021", "2021-09"},  # 2021 HLPF; High-level Dialogue on Energy (Sept 2021)
    23: {"2020-10", "2021-04"},  # Vienna Energy Forum series, Oct 2020 – Apr 2021
    26: {"2020-08-20"},  # accredited by the Green Climate Fund on 20 August 2020
}

# Country names as the source document writes them (zh), and in UN English usage.
NAMES = {
    "zh": {
        "BRA": "巴西",
        "THA": "泰国",
        "URY": "乌拉圭",
        "BLZ": "伯利兹",
        "CHN": "中国",
        "IND": "印度",
        "SEN": "塞内加尔",
        "ALB": "阿尔巴尼亚",
        "JOR": "约旦",
        "PHL": "菲律宾",
        "TUN": "突尼斯",
        "DZA": "阿尔及利亚",
        "COD": "刚果民主共和国",
        "SLE": "塞拉利昂",
        "KHM": "柬埔寨",
        "IDN": "印度尼西亚",
        "NPL": "尼泊尔",
        "VNM": "越南",
        "BFA": "布基纳法索",
        "MNG": "蒙古",
        "PER": "秘鲁",
        "ZAF": "南非",
    },
    "en": {
        "BRA": "Brazil",
        "THA": "Thailand",
        "URY": "Uruguay",
        "BLZ": "Belize",
        "CHN": "China",
        "IND": "India",
        "SEN": "Senegal",
        "ALB": "Albania",
        "JOR": "Jordan",
        "PHL": "Philippines",
        "TUN": "Tunisia",
        "DZA": "Algeria",
        "COD": "Democratic Republic of the Congo",
        "SLE": "Sierra Leone",
        "KHM": "Cambodia",
        "IDN": "Indonesia",
        "NPL": "Nepal",
        "VNM": "Viet Nam",
        "BFA": "Burkina Faso",
        "MNG": "Mongolia",
        "PER": "Peru",
        "ZAF": "South Africa",
    },
}

_WORDS = {
    "en": ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"],
    "zh": ["零", "一", "两", "三", "四", "五", "六", "七", "八", "九"],
}
_SCALES = {"en": {"million": 1e6, "billion": 1e9}, "zh": {"万": 1e4, "亿": 1e8}}


def read_number(text: str, lang: str) -> tuple[float, str]:
    """Read a printed figure back into (value, qualifier), the way a reader would.

    The number may be followed by its unit ("13,194 metric tonnes", "700多公吨"). A count
    written without a numeral names one thing ("a new guide", "the Global Alliance", "its
    National Economic Strategy 2030", "一份", "《2030年国家经济战略》"): a reader counts it as
    one.
    """
    text = text.strip()
    words = "|".join(_WORDS[lang])
    scales = "|".join(_SCALES[lang])
    if lang == "en":
        pattern = rf"^(more than |about )?([\d,.]+|{words})\b( (?:{scales}))?"
    else:
        pattern = rf"^(约 ?)?([\d,.]+|{words})( ?(?:{scales}))?( ?多)?"
    match = re.match(pattern, text, flags=re.IGNORECASE)
    if match is None or (lang == "zh" and match.group(2) == "一" and not match.group(3)):
        if lang == "zh" or re.match(r"^(a|an|its|one|the)\b", text, flags=re.IGNORECASE):
            return 1.0, "exact"
        raise ValueError(f"no number in {text!r}")
    qualifier = "exact"
    if match.group(1):
        qualifier = {"more than ": "more_than", "about ": "about", "约": "about"}[
            match.group(1).lower().removesuffix(" ") if lang == "zh" else match.group(1).lower()
        ]
    if lang == "zh" and match.group(4):
        qualifier = "more_than"
    token = match.group(2).lower()
    value = (
        float(_WORDS[lang].index(token)) if token in _WORDS[lang] else float(token.replace(",", ""))
    )
    scale = _SCALES[lang].get((match.group(3) or "").strip(), 1.0)
    return value * scale, qualifier
