"""What python-docx has no API for: the footnotes part, footnote references (numbered or
with the header's * marks), language tags and complex-script fonts on every run, and
right-to-left sections.

The footnotes part is written here as WordprocessingML (ECMA-376 Part 1, §17.11): the two
separator notes Word expects (ids -1 and 0), then one ``w:footnote`` per note; the document
part relates to it and ``settings.xml`` names the separators in ``w:footnotePr``.
"""

from __future__ import annotations

from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import nsdecls, qn

from greenfolio.domain.typography import join_unbroken

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
    tag.set(qn("w:val"), LANG_TAGS[lang] if lang != "ar" else LANG_TAGS["en"])
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


def right_to_left(docx: Any) -> None:
    """Right-to-left paragraphs and sections (w:bidi) and tables (w:bidiVisual)."""
    body = docx.element.body
    for container in _containers(docx):
        for p in container.iter(qn("w:p")):
            p_pr = p.get_or_add_pPr()
            if p_pr.find(qn("w:bidi")) is None:
                p_pr.insert_element_before(
                    OxmlElement("w:bidi"),
                    "w:adjustRightInd",
                    "w:snapToGrid",
                    "w:spacing",
                    "w:ind",
                    "w:contextualSpacing",
                    "w:mirrorIndents",
                    "w:suppressOverlap",
                    "w:jc",
                    "w:textDirection",
                    "w:textAlignment",
                    "w:textboxTightWrap",
                    "w:outlineLvl",
                    "w:divId",
                    "w:cnfStyle",
                    "w:rPr",
                    "w:sectPr",
                    "w:pPrChange",
                )
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

    def reference(self, paragraph: Any, text: str, mark: str = "") -> None:
        """Add a footnote reference at the end of ``paragraph``; ``mark`` replaces the
        automatic number (w:customMarkFollows) with the header's * or **."""
        note_id = len(self.notes) + 1
        self.notes.append((note_id, mark, text))
        run = paragraph.add_run()
        r_pr = run._r.get_or_add_rPr()
        _insert_ordered(r_pr, _superscript())
        ref = OxmlElement("w:footnoteReference")
        if mark:
            ref.set(qn("w:customMarkFollows"), "1")
        ref.set(qn("w:id"), str(note_id))
        run._r.append(ref)
        if mark:
            paragraph.add_run(mark).font.superscript = True

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
                f"<w:r>{_r_pr(lang, sup=True)}<w:t>{_escape(mark)}</w:t></w:r>"
                if mark
                else f"<w:r>{_r_pr(lang, sup=True)}<w:footnoteRef/></w:r>"
            )
            out.append(
                f'<w:footnote w:id="{note_id}"><w:p><w:pPr>{bidi}<w:spacing w:after="0"/>'
                f'</w:pPr>{lead}<w:r>{_r_pr(lang)}<w:t xml:space="preserve"> '
                f"{_escape(text)}</w:t></w:r></w:p></w:footnote>"
            )
        out.append("</w:footnotes>")
        return "".join(out)


def _superscript() -> Any:
    align = OxmlElement("w:vertAlign")
    align.set(qn("w:val"), "superscript")
    return align


def _r_pr(lang: str, sup: bool = False) -> str:
    east = EAST_ASIAN_FONT if lang == "zh" else LATIN_FONT
    cs = ARABIC_FONT if lang == "ar" else LATIN_FONT
    val = LANG_TAGS["en"] if lang == "ar" else LANG_TAGS[lang]
    extra = ' w:eastAsia="zh-CN"' if lang == "zh" else ""
    extra += ' w:bidi="ar-SA"' if lang == "ar" else ""
    return (
        f'<w:rPr><w:rFonts w:ascii="{LATIN_FONT}" w:hAnsi="{LATIN_FONT}" w:eastAsia="{east}" '
        f'w:cs="{cs}"/><w:sz w:val="18"/><w:szCs w:val="18"/>'
        + ('<w:vertAlign w:val="superscript"/>' if sup else "")
        + ("<w:rtl/>" if lang == "ar" else "")
        + f'<w:lang w:val="{val}"{extra}/></w:rPr>'
    )


def _escape(text: str) -> str:
    text = join_unbroken(text)  # a document symbol or range never breaks
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
