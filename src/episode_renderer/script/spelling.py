"""Which capitalised and sound words are spelled letter by letter, and which are said as words.

espeak reads a pronounceable acronym as a word ("SEO" as "see-oh") and spells a vowelless sound
word ("shh", "grr"). Known acronyms, and capitals no English reader could say, are spelled; names
said as words (NASA, JSON) get a spelling espeak says right; a shouted word and a sound word are
said.

Spelled acronyms come out as dotted letters without a final dot ("A.I", "G.P.T", plurals
"L.L.M's", two-letter plurals "A-I's"): espeak says each letter's name in that form, keeps
the stress right, and does not end the sentence there, where spaced letters turn "A" into
the article "uh" and plain capitals get read as words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from .speech_rules import rx

__all__ = ["ACRONYMS", "SPOKEN_AS_WORDS", "say_words", "spell"]

ACRONYMS: frozenset[str] = frozenset(
    """
    AI AGI ASI API ML DL NLP CV RL RLHF DPO SFT LLM SLM VLM GPT RAG MCP TTS STT ASR OCR NER
    GPU CPU TPU NPU SSD HDD OS UI UX CLI IDE SDK CRUD ORM MVC OOP TDD BDD CI CD QA UAT PR MR OSS
    GPL MIT BSD PDF CSV XML HTML CSS JS TS SQL PHP AWS GCP EC IAM VPC SRE DNS CDN SSL TLS TCP UDP
    IP HTTP HTTPS URL URI USB LED LCD VR AR XR IOT EV AV GPS PC TV DVD HD SD NFT DAO ETF IPO ROI
    KPI OKR SLA SLO EOD EOY ETA FAQ DIY ASAP RSVP AKA TBD TBA FYI BTW IMO IMHO TBH NGL OMG WTF
    LMAO SMH ICYMI AFAIK IIRC TLDR TL DR IRL AMA TIL PS CEO CFO CTO COO CMO CPO VP SVP EVP HR PM
    VC PE LP GP NDA IRS SEC FBI CIA NSA DOJ DOD FDA EPA FTC FCC CDC NIH UN EU US USA UK NYC
    LA SF DC BBC CNN NPR NBC CBS ABC HBO MTV ESPN NBA NFL NHL MLB UFC WWE IBM AMD TSMC ASML HP
    ARR MRR CAC LTV CTR CPC CPM DAU MAU SMB USP PMF GTM ICP ABM OEM SOC PII SSO MFA VPN SEO SEM
    PPC CPA CRO UGC DM NPC RPG FPS MMO DLC AAA PVP MMORPG ID GDPR CCPA ESG DEI EBITDA
    GAAP PNL YC GPA MBA PHD MD RN EMT ER ICU BMI DNA RNA MRI CT PTSD ADHD OCD IQ EQ UBI GDP
    CPI IMF WTO NGO LGBTQ BLM GOP DNC RNC POV TOS EULA CTA CMS CRM ERP POS SKU KYC AML ETL ELT IOS IPA
    """.split()
)
"""All-caps tokens always spelled letter by letter. Others are decided by a pronounceability rule."""

SPOKEN_AS_WORDS: Mapping[str, str] = {
    "NASA": "nasa", "NATO": "nato", "FOMO": "fomo", "YOLO": "yolo", "JSON": "jason",
    "YAML": "yamel", "TOML": "tommel", "COVID": "covid", "SCUBA": "scuba", "LASER": "laser",
    "RADAR": "radar", "UNESCO": "unesco", "UNICEF": "unicef", "FIFA": "fifa", "OPEC": "opec",
    "POTUS": "potus", "SCOTUS": "scotus", "CAPTCHA": "captcha", "GIF": "gif", "PIN": "pin",
    "SIM": "sim", "RAM": "ram", "ROM": "rom", "LAN": "lan", "WAN": "wan", "WIFI": "wifi",
    "CUDA": "cuda", "ASCII": "askee", "WYSIWYG": "wizzywig", "GUI": "gooey", "JPEG": "jay-peg",
    "OLED": "oh-led", "LIDAR": "lidar", "SONAR": "sonar", "GOAT": "goat", "LOL": "lol",
    "OK": "okay", "HIPAA": "hippa", "SWAT": "swat", "AWOL": "a-wall", "SaaS": "sass",
    "PaaS": "pass", "IaaS": "eye-as", "REST": "rest", "SOAP": "soap", "SOLID": "solid",
    "KISS": "kiss", "DRY": "dry", "CHATGPT": "chat G.P.T", "OPENAI": "open A.I",
}
"""All-caps (and a few mixed-case) names read as words, mapped to a spelling espeak says right."""


def spell(letters: str, plural: bool = False) -> str:
    """Dotted letters, "G.P.T", "L.L.M's", "A-I's" (see above for why)."""
    if plural:
        return ("-" if len(letters) == 2 else ".").join(letters) + "'s"
    return ".".join(letters)


_CAPS = rx(r"([A-Z](?<!\w[A-Z])(?:[A-Z]*(?:'[A-Z]+)+|[A-Z]+))(s|'s)?\b")
_MIXED_WORDS = rx(r"\b(SaaS|PaaS|IaaS)\b")
_INTERJECTION = rx(r"(?:H+M+|M+|S+H+|G+R+|B+R+|P+S+T+|Z+|T+S+K+|P+F+T?|U+G+H+|A+R+G+H+|C+H+K+)")
_REPEATS = rx(r"(\w)\1+")
_SOUNDS = rx(
    r"\b(?i:(s+h{2,})|(g+r{2,})|(b+r{2,})|(h+m)|(m{2,})|(m+h+m+)|(c+h+k+)|(b+z+t+)|(h+m+p+h+))\b"
)
_SOUND_WORDS = ("shush", "gurr", "burr", "hmm", "hmm", "uh-huh", "chuk", "buzzt", "humph")
_SOUND_GATE = (
    "hh", "HH", "rr", "RR", "hm", "Hm", "HM", "mm", "Mm", "MM", "hk", "HK", "zt", "ZT",
)

_SINGLE_ONSETS = set("BCDFGHJKLMNPRSTVWXYZ")
_ONSETS = frozenset(
    _SINGLE_ONSETS
    | set(
        "BL BR CH CL CR DR DW FL FR GL GN GR KL KN KR PH PL PR QU SC SCH SCR SH SHR SK SL SM SN "
        "SP SPL SPR SQU ST STR SW TH THR TR TW WH WR".split()
    )
    | {""}
)
_CODAS = frozenset(
    set("BCDFGHKLMNPRSTVWXZ")
    | set(
        "BB BS CH CK CT DD DS FF FT GG GH GS KS LB LD LF LK LL LM LP LS LT MB MN MP MS ND NG NK NN "
        "NS NT NX PH PS PT RB RC RD RF RG RK RL RM RN RP RS RT RV SH SK SM SP SS ST TH TS TT TZ WL "
        "WN WS XT ZZ NGS NKS NDS NTS RST RTH RMS RKS LDS LTS MPS NCH TCH RCH LCH RDS FTS PTS CKS "
        "STS SKS GHT".split()
    )
    | {""}
)
_TWO_LETTER_WORDS = frozenset(
    "AH AM AN AS AT AW AX BE BY DO EH GO HA HE HI HM IF IN IS IT ME MY NO OF OH ON OR OW OX SO "
    "TO UH UM UP WE YA YE YO OI HO LO MA PA OY AY".split()
)


def _is_vowel(word: str, i: int) -> bool:
    c = word[i]
    return c in "AEIOU" or (c == "Y" and i > 0)


def _pronounceable(word: str) -> bool:
    """Could an English reader say this as a word? Checks the consonants at each end."""
    n = len(word)
    i = 0
    while i < n and not _is_vowel(word, i):
        i += 1
    if i == n:
        return False
    j = n
    while not _is_vowel(word, j - 1):
        j -= 1
    if i == 0 and j == n and all(c in "AEIOU" for c in word):
        return False
    return word[:i] in _ONSETS and word[j:] in _CODAS


@lru_cache(maxsize=8192)
def _say_caps(word: str, plural: str, acronyms: frozenset[str]) -> str:
    """Spell a known or unsayable acronym; lowercase a shouted word so espeak says it."""
    if word in acronyms:
        return spell(word, bool(plural))
    if plural == "" and word.endswith("S") and word[:-1] in acronyms and len(word) > 2:
        return spell(word[:-1], True)
    spoken = SPOKEN_AS_WORDS.get(word)
    if spoken is not None:
        return spoken + plural
    if "'" in word:
        lower = word.lower()
        return ("I" + lower[1:] if lower.startswith("i'") else lower) + plural
    if _INTERJECTION.fullmatch(word):
        return word.lower() + plural
    collapsed = _REPEATS.sub(r"\1", word)
    if collapsed != word and (collapsed in _TWO_LETTER_WORDS or _pronounceable(collapsed)):
        return word.lower() + plural
    if len(word) == 2:
        is_word = word in _TWO_LETTER_WORDS
    elif len(word) <= 4:
        is_word = _pronounceable(word)
    else:
        is_word = any(_is_vowel(word, i) for i in range(len(word)))
    if is_word:
        return word.lower() + plural
    return spell(word, bool(plural))


def _sound(m: re.Match[str]) -> str:
    """Vowelless sound words ("shh", "grr", "CHK") that espeak would spell out letter by letter."""
    said = _SOUND_WORDS[m.lastindex - 1]
    return said.capitalize() if m.group(0)[0].isupper() else said


def _caps(m: re.Match[str], known: frozenset[str]) -> str:
    said = _say_caps(m.group(1), m.group(2) or "", known)
    i = m.start()
    if said[:1].islower() and (i == 0 or m.string[i - 2 : i] in (". ", "! ", "? ")):
        return said[0].upper() + said[1:]
    return said


def say_words(s: str, acronyms: frozenset[str]) -> str:
    """Mixed-case names, sound words and capitalised words in ``s``, each spelled or said;
    ``acronyms`` are the all-caps tokens always spelled."""
    if "aaS" in s:
        s = _MIXED_WORDS.sub(lambda m: SPOKEN_AS_WORDS[m.group(1)], s)
    for needle in _SOUND_GATE:
        if needle in s:
            s = _SOUNDS.sub(_sound, s)
            break
    return _CAPS.sub(lambda m: _caps(m, acronyms), s)
