"""What the compiled IATI readers share (``iati_native_values.pyx``)."""

from libc.string cimport strcmp

from lxml.includes cimport tree
from lxml.includes.tree cimport const_xmlChar, xmlNode


cdef class Reading:
    cdef object lang
    cdef object currency
    cdef bint fallback_used


cdef inline bint _is(xmlNode* node, const char* name) noexcept:
    """An element in no namespace named ``name`` (lxml's ``child.tag == name``)."""
    return (
        node.type == tree.XML_ELEMENT_NODE
        and node.ns is NULL
        and strcmp(<const char*>node.name, name) == 0
    )


cdef str _str(const_xmlChar* text)
cdef object _get(xmlNode* node, const char* name)
cdef object _lang(xmlNode* node)
cdef object _text(xmlNode* node)
cdef str _text_of(xmlNode* node)
cdef str _stripped(xmlNode* node, const char* name)
cdef bint _bad(str text, bint multiline) noexcept
cdef xmlNode* _first(xmlNode* node, const char* name) noexcept
cdef dict _narratives(Reading ctx, xmlNode* node)
cdef object _date_of(object raw)
cdef object _number(object raw)
cdef object _percentage(xmlNode* node)
cdef object _currency(object raw)
cdef object _org(Reading ctx, xmlNode* node)
