"""The compiled reader of an activity's ``result`` (``iati_native_results.pyx``)."""

from lxml.includes.tree cimport xmlNode

from greenfolio.services.exchange.iati_native_values cimport Reading


cdef void read_result(Reading ctx, xmlNode* node, object act) except *
