# cython: language_level=3
"""Nodes and values for the compiled IATI reader (``iati_native``): ``iati_values`` in C.

libxml2's nodes are read as lxml reads them (``el.get``, ``el.text``, ``child.tag``),
without an element proxy for each. A reader raises ``GIVE_UP`` where the Python readers
would report something; ``iati_native`` then leaves the activity to them.
"""

from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.string cimport strcmp, strlen

from lxml.includes cimport tree
from lxml.includes.tree cimport const_xmlChar, xmlAttr, xmlNode

from datetime import date as _date

from greenfolio.domain.iati import OrgRef
from greenfolio.services.exchange import codelists
from greenfolio.domain.languages import has_language_tag_shape
from greenfolio.services.exchange.iati_values import FALLBACK_LANGUAGE, MOST_NARRATIVES

cdef dict _TAGS = {}  # xml:lang values met, and whether each is a language code

cdef const char* XML_NS = b"http://www.w3.org/XML/1998/namespace"
cdef object INF = float("inf")
cdef object NINF = float("-inf")
cdef object FROM_ISO = _date.fromisoformat
cdef frozenset ORGANISATION_TYPES = codelists.codes("OrganisationType")
cdef frozenset CURRENCIES = codelists.codes("Currency")


class GiveUp(Exception):
    """Something here would be reported: the Python readers read the activity again."""


cdef object GIVE_UP = GiveUp()


# ---------------------------------------------------------------- nodes, as lxml sees them


cdef str _str(const_xmlChar* text):
    return PyUnicode_DecodeUTF8(<const char*>text, strlen(<const char*>text), NULL)


cdef object _get(xmlNode* node, const char* name):
    """lxml's ``el.get(name)`` for an attribute in no namespace. (libxml2 would also look
    for a default in a DTD: ``iati_native.read_activity`` leaves such documents out.)"""
    cdef xmlAttr* attr = node.properties
    while attr is not NULL:
        if attr.ns is NULL and strcmp(<const char*>attr.name, name) == 0:
            return _value_of(attr)
        attr = attr.next
    return None


cdef object _lang(xmlNode* node):
    """lxml's ``el.get("{http://www.w3.org/XML/1998/namespace}lang")``."""
    cdef xmlAttr* attr = node.properties
    while attr is not NULL:
        if (
            attr.ns is not NULL
            and strcmp(<const char*>attr.name, b"lang") == 0
            and strcmp(<const char*>attr.ns.href, XML_NS) == 0
        ):
            return _value_of(attr)
        attr = attr.next
    return None


cdef object _enclosing_lang(xmlNode* node):
    """``iati_values.enclosing_language``: the xml:lang of ``node`` or of the nearest
    element around it inside the activity; None where only the activity's applies."""
    while node is not NULL and node.type == tree.XML_ELEMENT_NODE:
        if strcmp(<const char*>node.name, b"iati-activity") == 0:
            return None
        lang = _lang(node)
        if lang and lang.strip():
            return lang
        node = node.parent
    return None


cdef object _value_of(xmlAttr* attr):
    cdef xmlNode* child = attr.children
    if child is NULL:
        return ""
    if child.next is NULL and child.content is not NULL and (
        child.type == tree.XML_TEXT_NODE or child.type == tree.XML_CDATA_SECTION_NODE
    ):
        return _str(child.content)
    raise GIVE_UP  # an entity reference in an attribute (lxml expands it), or no text


cdef inline xmlNode* _text_node(xmlNode* node) noexcept:
    """The text node at ``node``, skipping XInclude marks, or NULL (lxml's own walk)."""
    while node is not NULL:
        if node.type == tree.XML_TEXT_NODE or node.type == tree.XML_CDATA_SECTION_NODE:
            return node
        if node.type == tree.XML_XINCLUDE_START or node.type == tree.XML_XINCLUDE_END:
            node = node.next
        else:
            return NULL
    return NULL


cdef object _text(xmlNode* node):
    """lxml's ``el.text``: the text nodes before the first child element, or None."""
    cdef xmlNode* first = _text_node(node.children)
    cdef xmlNode* cur = first
    cdef const_xmlChar* found = NULL
    cdef int count = 0
    while cur is not NULL:
        if cur.content is NULL:
            raise GIVE_UP
        if cur.content[0] != 0:
            found = cur.content
        count += 1
        cur = _text_node(cur.next)
    if found is NULL:
        return "" if count else None
    if count == 1:
        return _str(found)
    parts = []
    cur = first
    while cur is not NULL:
        parts.append(_str(cur.content))
        cur = _text_node(cur.next)
    return "".join(parts)


cdef str _text_of(xmlNode* node):
    if node is NULL:
        return ""
    text = _text(node)
    return "" if text is None else text.strip()


cdef str _stripped(xmlNode* node, const char* name):
    """``(el.get(name) or "").strip()``."""
    value = _get(node, name)
    return value.strip() if value else ""


cdef bint _bad(str text, bint multiline) noexcept:
    """``domain.text``'s rule, character by character (its regular expressions cost more
    than the rest of a narrative): C0 and C1 controls, the direction overrides U+202D and
    U+202E, surrogates, U+FFFE and U+FFFF; tab, line feed and carriage return allowed in
    multi-line text."""
    cdef Py_UCS4 ch
    for ch in text:
        if ch < 0x20:
            if not (multiline and (ch == 0x09 or ch == 0x0A or ch == 0x0D)):
                return True
        elif (
            0x7F <= ch <= 0x9F
            or ch == 0x202D
            or ch == 0x202E
            or 0xD800 <= ch <= 0xDFFF
            or ch == 0xFFFE
            or ch == 0xFFFF
        ):
            return True
    return False


def bad_text(str text, bint multiline):
    """Whether ``text`` breaks the text rule, as this reader sees it (for the tests)."""
    return _bad(text, multiline)


cdef xmlNode* _first(xmlNode* node, const char* name) noexcept:
    cdef xmlNode* child = node.children
    while child is not NULL:
        if _is(child, name):
            return child
        child = child.next
    return NULL


# ---------------------------------------------------------------- values


cdef class Reading:
    """What the readers of one activity share: its language and currency, and whether a
    narrative took the fallback language."""


cdef dict _narratives(Reading ctx, xmlNode* node):
    cdef dict out = {}
    cdef xmlNode* child
    cdef object inherited = None
    if node is NULL:
        return out
    child = node.children
    while child is not NULL:
        if _is(child, b"narrative"):
            text = _text(child)
            if text:
                text = text.strip()
                if text:
                    if _bad(text, True):
                        raise GIVE_UP
                    lang = _lang(child)
                    if not lang:
                        inherited = inherited or _enclosing_lang(node)
                        lang = inherited
                    if lang:
                        lang = lang.strip().lower()
                        known = _TAGS.get(lang)
                        if known is None:
                            known = _TAGS[lang] = has_language_tag_shape(lang)
                            if len(_TAGS) > 4096:
                                _TAGS.clear()
                        if not known:
                            raise GIVE_UP  # the Python readers say it
                    elif ctx.lang:
                        lang = ctx.lang
                    else:
                        ctx.fallback_used = True
                        lang = FALLBACK_LANGUAGE
                    if lang in out or len(out) >= MOST_NARRATIVES:
                        raise GIVE_UP
                    out[lang] = text
        child = child.next
    return out


cdef object _date_of(object raw):
    """``read_date``: None for None; a date; else give up (the reader reports it)."""
    if raw is None:
        return None
    try:
        return FROM_ISO(raw)
    except ValueError:
        pass
    text = raw.strip()
    if len(text) > 10 and text[10] in "Z+-T":
        text = text[:10]
    try:
        return FROM_ISO(text)
    except ValueError:
        raise GIVE_UP


cdef object _number(object raw):
    """``read_number``: None for None; a finite float; else give up."""
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise GIVE_UP
    if value != value or value == INF or value == NINF:
        raise GIVE_UP
    return value


cdef object _percentage(xmlNode* node):
    value = _number(_get(node, b"percentage"))
    if value is not None and not 0 <= value <= 100:
        raise GIVE_UP
    return value


cdef object _currency(object raw):
    """``read_currency`` where it reports nothing."""
    if raw is None or not raw.strip():
        return None
    code = raw.strip().upper()
    if code not in CURRENCIES:
        raise GIVE_UP
    return code


cdef object _org(Reading ctx, xmlNode* node):
    ref = _get(node, b"ref")
    if ref:
        ref = ref.strip() or None
    org_type = _get(node, b"type")
    if org_type and org_type not in ORGANISATION_TYPES:
        org_type = org_type.strip()
        if org_type not in ORGANISATION_TYPES:
            if org_type:
                raise GIVE_UP
            org_type = None
    return OrgRef(ref or None, org_type or None, _narratives(ctx, node))
