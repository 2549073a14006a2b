"""What python-docx has no API for: the footnotes part, footnote references (numbered or
with the header's * marks), language tags and complex-script fonts on every run, Word's
non-breaking hyphen, and right-to-left sections.

The footnotes part is written here as WordprocessingML (ECMA-376 Part 1, §17.11): the two
separator notes Word expects (ids -1 and 0), then one ``w:footnote`` per note; the document
part relates to it and ``settings.xml`` names the separators in ``w:footnotePr``. Marks and
note text take Word's built-in styles "footnote reference" (superscript) and "footnote
text", as Word's own notes do: LibreOffice sets a note's number from the style alone.

A header note marked * or ** is written as Word writes one with a custom mark: the mark's
text in the reference's own run after ``w:footnoteReference w:customMarkFollows="1"``, and
again as text in the reference style at the start of the note. Such a note takes no number
(ECMA-376 §17.11.14, customMarkFollows: it "shall not increment the numbering"), so the
body's notes are numbered from 1 as in the PDF; LibreOffice reads the mark as the note's
label only when it shares the reference's run (and a mark of two characters only as two
``w:t``), and drops the note's copy of a one-character mark when that copy is in the
reference style (LibreOffice 7.4 still prints "** **" at the head of a ** note).
"""

from __future__ import annotations

from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import parse_xml

from greenfolio.domain.typography import NO_BREAK_HYPHEN, unbroken_hyphens

OWN_LANG = "greenfolio-lang"
"""A working attribute on a run written in another language than the document ("en") or
as a left-to-right island in Arabic ("ar:ltr"); removed by ``tag_document``."""
FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
LANG_TAGS = {
    "ar": "ar-SA",
    "zh": "zh-CN",
    "en": "en-GB",
    "fr": "fr-FR",
    "ru": "ru-RU",
    "es": "es-ES",
}
LATIN_FONT = "Times New Roman"
EAST_ASIAN_FONT = "SimSun"
ARABIC_FONT = "Simplified Arabic"
"""The faces UN documents are set in (Word substitutes where a face is not installed)."""
LATIN_TAG = {"ar": "en-GB", "zh": "en-GB"}
"""The language of the Latin-script text (digits, Latin names) in an Arabic or Chinese
document, whose own script is tagged w:bidi or w:eastAsia. Tagged zh-CN, the digits would
be broken as Chinese is, between any two characters ("5|00", "13,|194" in LibreOffice)."""
NOTE_REFERENCE_STYLE = "FootnoteReference"
NOTE_TEXT_STYLE = "FootnoteText"
_NOTE_STYLES = (
    f'<w:style {nsdecls("w")} w:type="character" w:styleId="{NOTE_REFERENCE_STYLE}">'
    '<w:name w:val="footnote reference"/><w:basedOn w:val="DefaultParagraphFont"/>'
    '<w:uiPriority w:val="99"/><w:unhideWhenUsed/>'
    '<w:rPr><w:vertAlign w:val="superscript"/></w:rPr></w:style>',
    f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="{NOTE_TEXT_STYLE}">'
    '<w:name w:val="footnote text"/><w:basedOn w:val="Normal"/>'
    '<w:uiPriority w:val="99"/><w:unhideWhenUsed/>'
    '<w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
    '<w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>',
)
"""Word's built-in note styles (names as Word spells them): the mark superscript, the text
9 pt with no space after."""


PPR_ORDER = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr",
    "w:widowControl", "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs",
    "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct",
    "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
    "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap",
    "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl",
    "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip
"""The children of ``w:pPr`` in the order the schema requires (ECMA-376 §17.3.1.26): an
element out of order can make Word refuse the file."""


def after_in_ppr(tag: str) -> tuple[str, ...]:
    """The ``w:pPr`` children that come after ``tag``: where ``insert_element_before``
    must put it."""
    return PPR_ORDER[PPR_ORDER.index(tag) + 1 :]


def add_text(run: Any, text: str) -> None:
    """Append ``text`` to the run element ``run`` (a ``w:r``): the hyphen of a name or code
    kept whole (``typography.unbroken_hyphens``) as Word's ``w:noBreakHyphen``, the rest as
    plain ``w:t`` text with no invisible characters, so that Word finds "GC.18/Res.7"."""
    for i, piece in enumerate(unbroken_hyphens(text).split(NO_BREAK_HYPHEN)):
        if i:
            run.append(OxmlElement("w:noBreakHyphen"))
        if piece:
            run.add_t(piece)


def run_properties(r_pr: Any, lang: str, rtl: bool) -> None:
    """Tag a run's properties (``w:rPr``) with its language, its fonts and its direction."""
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT if lang == "zh" else LATIN_FONT)
    fonts.set(qn("w:cs"), ARABIC_FONT if lang == "ar" else LATIN_FONT)
    if rtl and r_pr.find(qn("w:rtl")) is None:
        _insert_ordered(r_pr, OxmlElement("w:rtl"))
    tag = r_pr.find(qn("w:lang"))
    if tag is None:
        tag = OxmlElement("w:lang")
        _insert_ordered(r_pr, tag)
    tag.set(qn("w:val"), LATIN_TAG.get(lang, LANG_TAGS[lang]))
    if lang == "zh":
        tag.set(qn("w:eastAsia"), LANG_TAGS["zh"])
    if lang == "ar":
        tag.set(qn("w:bidi"), LANG_TAGS["ar"])


_R_PR_ORDER = (
    "w:rStyle",
    "w:rFonts",
    "w:b",
    "w:bCs",
    "w:i",
    "w:iCs",
    "w:caps",
    "w:smallCaps",
    "w:strike",
    "w:dstrike",
    "w:outline",
    "w:shadow",
    "w:emboss",
    "w:imprint",
    "w:noProof",
    "w:snapToGrid",
    "w:vanish",
    "w:webHidden",
    "w:color",
    "w:spacing",
    "w:w",
    "w:kern",
    "w:position",
    "w:sz",
    "w:szCs",
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
)


def _insert_ordered(r_pr: Any, child: Any) -> None:
    """Put ``child`` where the schema's sequence for w:rPr wants it."""
    rank = {qn(tag): i for i, tag in enumerate(_R_PR_ORDER)}
    mine = rank[child.tag]
    for i, existing in enumerate(r_pr):
        if rank.get(existing.tag, -1) > mine:
            r_pr.insert(i, child)
            return
    r_pr.append(child)


def _containers(docx: Any) -> list[Any]:
    """The body and every header and footer part the document has."""
    out = [docx.element.body]
    for section in docx.sections:
        for part in (section.header, section.footer, section.first_page_footer):
            if not part.is_linked_to_previous:
                out.append(part._element)
    return out


def tag_document(docx: Any, lang: str) -> None:
    """Language, fonts and direction on every run of the body, headers and footers, and
    as the document default (so text typed later is tagged too)."""
    rtl = lang == "ar"
    defaults = docx.styles.element.find(qn("w:docDefaults"))
    r_pr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    run_properties(r_pr, lang, False)
    for container in _containers(docx):
        for run in container.iter(qn("w:r")):
            own = run.get(OWN_LANG)
            if own is not None:
                del run.attrib[OWN_LANG]
            run_lang = (own or lang).split(":")[0]
            run_properties(run.get_or_add_rPr(), run_lang, rtl and own is None)
    for r_pr in docx.styles.element.iter(qn("w:rPr")):
        complex_script_forms(r_pr)
    for container in _containers(docx):
        for r_pr in container.iter(qn("w:rPr")):
            complex_script_forms(r_pr)


_COMPLEX_SCRIPT = (("w:b", "w:bCs"), ("w:i", "w:iCs"), ("w:sz", "w:szCs"))
"""Bold, italic and size, and the properties Word applies to complex-script text
(Arabic) in their place: a run marked only w:b is not bold in Arabic."""


def complex_script_forms(r_pr: Any) -> None:
    """Give ``r_pr``'s bold, italic and size their complex-script twins, same value."""
    for plain, twin in _COMPLEX_SCRIPT:
        source = r_pr.find(qn(plain))
        if source is None or r_pr.find(qn(twin)) is not None:
            continue
        copy = OxmlElement(twin)
        for name, value in source.attrib.items():
            copy.set(name, value)
        _insert_ordered(r_pr, copy)


def right_to_left(docx: Any) -> None:
    """Right-to-left paragraphs and sections (w:bidi) and tables (w:bidiVisual)."""
    body = docx.element.body
    for container in _containers(docx):
        for p in container.iter(qn("w:p")):
            p_pr = p.get_or_add_pPr()
            if p_pr.find(qn("w:bidi")) is None:
                p_pr.insert_element_before(OxmlElement("w:bidi"), *after_in_ppr("w:bidi"))
    for tbl_pr in body.iter(qn("w:tblPr")):
        if tbl_pr.find(qn("w:bidiVisual")) is None:  # once, where the schema puts it
            tbl_pr.insert_element_before(
                OxmlElement("w:bidiVisual"),
                "w:tblStyleRowBandSize",
                "w:tblStyleColBandSize",
                "w:tblW",
                "w:jc",
                "w:tblCellSpacing",
                "w:tblInd",
                "w:tblBorders",
                "w:shd",
                "w:tblLayout",
                "w:tblCellMar",
                "w:tblLook",
                "w:tblCaption",
                "w:tblDescription",
                "w:tblPrChange",
            )
    for sect_pr in body.iter(qn("w:sectPr")):
        bidi = OxmlElement("w:bidi")
        anchor = sect_pr.find(qn("w:rtlGutter"))
        if anchor is None:
            anchor = sect_pr.find(qn("w:docGrid"))
        if anchor is not None:
            anchor.addprevious(bidi)
        else:
            sect_pr.append(bidi)


class Footnotes:
    """The footnotes part of one document, filled as references are added."""

    def __init__(self, docx: Any) -> None:
        self.docx = docx
        self.notes: list[tuple[int, str, str]] = []
        styles = docx.styles.element
        have = {style.get(qn("w:styleId")) for style in styles.findall(qn("w:style"))}
        for xml in _NOTE_STYLES:
            style = parse_xml(xml)
            if style.get(qn("w:styleId")) not in have:
                styles.append(style)

    def reference(self, paragraph: Any, text: str, mark: str = "") -> None:
        """Add a footnote reference at the end of ``paragraph``; ``mark`` replaces the
        automatic number (w:customMarkFollows) with the header's * or **, in the same run."""
        note_id = len(self.notes) + 1
        self.notes.append((note_id, mark, text))
        run = paragraph.add_run()
        run._r.get_or_add_rPr().style = NOTE_REFERENCE_STYLE
        ref = OxmlElement("w:footnoteReference")
        if mark:
            ref.set(qn("w:customMarkFollows"), "1")
        ref.set(qn("w:id"), str(note_id))
        run._r.append(ref)
        for char in mark:  # "**" as two w:t: LibreOffice repeats a longer one after the note
            run._r.add_t(char)

    def write(self, lang: str) -> None:
        """Write the part, relate it to the document and name the separators in settings."""
        if not self.notes:
            return
        part = Part(
            PackURI("/word/footnotes.xml"),
            FOOTNOTES_TYPE,
            self._xml(lang).encode("utf-8"),
            self.docx.part.package,
        )
        self.docx.part.relate_to(part, RT.FOOTNOTES)
        settings = self.docx.settings.element
        foot_pr = OxmlElement("w:footnotePr")
        for sep in ("-1", "0"):
            note = OxmlElement("w:footnote")
            note.set(qn("w:id"), sep)
            foot_pr.append(note)
        compat = settings.find(qn("w:compat"))
        if compat is not None:
            compat.addprevious(foot_pr)
        else:
            settings.append(foot_pr)

    def _xml(self, lang: str) -> str:
        bidi = "<w:bidi/>" if lang == "ar" else ""
        out = [
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
            f"<w:footnotes {nsdecls('w')}>",
            '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0"/>'
            "</w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>",
            '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr>'
            '<w:spacing w:after="0"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p>'
            "</w:footnote>",
        ]
        for note_id, mark, text in self.notes:
            lead = (
                f"<w:r>{_r_pr(lang, mark=True)}<w:t>{_escape(mark)}</w:t></w:r>"
                if mark
                else f"<w:r>{_r_pr(lang, mark=True)}<w:footnoteRef/></w:r>"
            )
            out.append(
                f'<w:footnote w:id="{note_id}"><w:p><w:pPr><w:pStyle w:val="{NOTE_TEXT_STYLE}"/>'
                f'{bidi}</w:pPr>{lead}<w:r>{_r_pr(lang)}<w:t xml:space="preserve"> '
                f"{_escape(text)}</w:t></w:r></w:p></w:footnote>"
            )
        out.append("</w:footnotes>")
        return "".join(out)


def _r_pr(lang: str, mark: bool = False) -> str:
    """A note's run properties; ``mark``: its number or * in the reference style."""
    east = EAST_ASIAN_FONT if lang == "zh" else LATIN_FONT
    cs = ARABIC_FONT if lang == "ar" else LATIN_FONT
    val = LATIN_TAG.get(lang, LANG_TAGS[lang])
    extra = ' w:eastAsia="zh-CN"' if lang == "zh" else ""
    extra += ' w:bidi="ar-SA"' if lang == "ar" else ""
    return (
        "<w:rPr>"
        + (f'<w:rStyle w:val="{NOTE_REFERENCE_STYLE}"/>' if mark else "")
        + f'<w:rFonts w:ascii="{LATIN_FONT}" w:hAnsi="{LATIN_FONT}" w:eastAsia="{east}" '
        f'w:cs="{cs}"/>'
        + ("<w:rtl/>" if lang == "ar" else "")
        + f'<w:lang w:val="{val}"{extra}/></w:rPr>'
    )


def _escape(text: str) -> str:
    """``text`` for a ``w:t`` element that preserves its spaces: a hyphen kept whole
    (``add_text``) closes the element for a ``w:noBreakHyphen`` and opens another."""
    text = unbroken_hyphens(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace(NO_BREAK_HYPHEN, '</w:t><w:noBreakHyphen/><w:t xml:space="preserve">')
