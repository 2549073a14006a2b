# cython: language_level=3
"""A clean ``iati-activity`` read in compiled code, over libxml2's nodes.

Why this exists: the Python readers (``iati_elements``, ``iati_results``) cost about
45 µs an activity, most of it the interpreter stepping through element proxies; issue
11 asks parse to stay within 1/0.7 of a bare lxml pass. This module reads the same
fields straight from the parsed tree (no element proxies) and builds the same records.

It is a fast path, not a second judge: the moment anything would be reported (an unknown
code, a value that is not a number or a date, a missing part, a bad character, a
duplicate), it gives up on the activity and ``iati_parse`` reads it again with the
Python readers, which write every message. So the problems of a file never depend on
which path read it, and the records are the same (``tests/test_iati_native.py`` compares
both on every test file and on generated ones). Documents with a DTD (whose attribute
defaults libxml2 would supply) and IATI 1.0x files are left to the Python readers.
"""

from libc.string cimport strcmp

cimport lxml.includes.etreepublic as cetree
from lxml.includes cimport tree
from lxml.includes.tree cimport xmlDoc, xmlNode

from greenfolio.services.exchange.iati_native_values cimport (
    Reading,
    _bad,
    _currency,
    _date_of,
    _first,
    _get,
    _is,
    _lang,
    _narratives,
    _number,
    _org,
    _percentage,
    _stripped,
    _text,
    _text_of,
)
from greenfolio.services.exchange.iati_native_results cimport read_result

from datetime import UTC, datetime as _datetime

from greenfolio.domain.iati import (
    ROLE_BY_CODE,
    ROLE_ORDER,
    STATUS_BY_CODE,
    Activity,
    CodeShare,
    CountryShare,
    DocumentLink,
    Location,
    Money,
    Participant,
)
from greenfolio.services.exchange import codelists
from greenfolio.services.exchange.iati_elements import alpha3_by_alpha2
from greenfolio.services.exchange.iati_native_values import GiveUp
from greenfolio.services.exchange.iati_values import whole_number

cetree.import_lxml__etree()

cdef object STAMP_FROM_ISO = _datetime.fromisoformat

cdef frozenset CURRENCIES = codelists.codes("Currency")
cdef frozenset TRANSACTION_TYPES = codelists.codes("TransactionType")
cdef frozenset COUNTRIES = codelists.codes("Country")
cdef frozenset REGIONS = codelists.codes("Region")
cdef frozenset SECTORS = codelists.codes("Sector")
cdef frozenset SECTOR_CATEGORIES = codelists.codes("SectorCategory")
cdef frozenset SECTOR_VOCABULARIES = codelists.codes("SectorVocabulary")
cdef frozenset REGION_VOCABULARIES = codelists.codes("RegionVocabulary")
cdef frozenset BUDGET_TYPES = codelists.codes("BudgetType")
cdef frozenset BUDGET_STATUSES = codelists.codes("BudgetStatus")
cdef frozenset DESCRIPTION_TYPES = codelists.codes("DescriptionType")
cdef frozenset DOCUMENT_CATEGORIES = codelists.codes("DocumentCategory")
cdef frozenset LANGUAGES = codelists.codes("Language")
cdef frozenset REACHES = codelists.codes("GeographicLocationReach")
cdef frozenset EXACTNESS = codelists.codes("GeographicExactness")
cdef frozenset LOCATION_CLASSES = codelists.codes("GeographicLocationClass")
cdef frozenset GEO_VOCABULARIES = codelists.codes("GeographicVocabulary")
cdef dict ALPHA3 = alpha3_by_alpha2()
cdef dict ROLES = dict(ROLE_BY_CODE)
cdef dict STATUSES = dict(STATUS_BY_CODE)
cdef dict ROLES_IN_ORDER = dict(ROLE_ORDER)

cdef object GIVE_UP = GiveUp()


# ---------------------------------------------------------------- element readers


cdef void _description(Reading ctx, xmlNode* node, object act) except *:
    raw = _get(node, b"type")
    kind = (raw or "1").strip()
    texts = _narratives(ctx, node)
    if not texts:
        return
    if kind == "1":
        description = act.description
        for lang, text in texts.items():
            description.setdefault(lang, text)
        return
    if kind not in DESCRIPTION_TYPES:
        raise GIVE_UP
    act.other_descriptions.append((kind, texts))


cdef void _participating_org(Reading ctx, xmlNode* node, object act) except *:
    raw = _stripped(node, b"role")
    role = ROLES.get(raw)
    if role is None:
        raise GIVE_UP  # a 1.0x word or an unknown role: the Python reader decides
    org = _org(ctx, node)
    if org.ref is None and not org.names:
        return
    act.participants.append(Participant(org, role))


cdef void _activity_date(xmlNode* node, object act) except *:
    kind = _stripped(node, b"type")
    if kind not in ("1", "2", "3", "4"):
        raise GIVE_UP
    raw = _get(node, b"iso-date")
    if raw is None:
        raise GIVE_UP
    act.dates.setdefault(kind, _date_of(raw))


cdef void _country(xmlNode* node, object act) except *:
    raw = _stripped(node, b"code").upper()
    percentage = _percentage(node)
    if raw not in COUNTRIES:
        raise GIVE_UP
    alpha3 = ALPHA3.get(raw)
    if alpha3 is None:
        raise GIVE_UP
    countries = act.countries
    for share in countries:
        if share.country == alpha3:
            raise GIVE_UP
    countries.append(CountryShare(alpha3, percentage))


cdef void _add_share(
    Reading ctx, xmlNode* node, list shares, str code, str vocabulary, object percentage
) except *:
    """A region or sector, unless one of the same code and vocabulary is there already."""
    for share in shares:
        if share.code == code and share.vocabulary == vocabulary:
            return
    shares.append(CodeShare(code, vocabulary, percentage, _narratives(ctx, node)))


cdef void _region(Reading ctx, xmlNode* node, object act) except *:
    code = _stripped(node, b"code")
    raw = _get(node, b"vocabulary")
    vocabulary = (raw or "1").strip()
    percentage = _percentage(node)
    if not code or len(code) > 40 or len(vocabulary) > 10:
        raise GIVE_UP
    if vocabulary not in REGION_VOCABULARIES:
        raise GIVE_UP
    if vocabulary == "1" and code not in REGIONS:
        raise GIVE_UP
    _add_share(ctx, node, act.regions, code, vocabulary, percentage)


cdef void _sector(Reading ctx, xmlNode* node, object act) except *:
    code = (_get(node, b"code") or _get(node, b"ref") or "").strip()
    vocabulary = (_get(node, b"vocabulary") or _get(node, b"type") or "").strip()
    vocabulary = vocabulary or "1"
    percentage = _percentage(node)
    if not code or len(code) > 40 or len(vocabulary) > 10:
        raise GIVE_UP
    if vocabulary not in SECTOR_VOCABULARIES:
        raise GIVE_UP
    if vocabulary == "1" and code not in SECTORS:
        raise GIVE_UP
    if vocabulary == "2" and code not in SECTOR_CATEGORIES:
        raise GIVE_UP
    _add_share(ctx, node, act.sectors, code, vocabulary, percentage)


cdef tuple _value(Reading ctx, xmlNode* node, object fallback_date):
    """``_value`` of the Python reader: (value, currency, value date)."""
    if node is NULL:
        return None, None, None
    text = _text(node)
    value = _number(text if text is not None else "")
    raw_currency = _get(node, b"currency")
    if raw_currency is None:
        currency = ctx.currency
    elif raw_currency in CURRENCIES:
        currency = raw_currency
    else:
        currency = _currency(raw_currency) or ctx.currency
    raw_date = _get(node, b"value-date")
    if raw_date is None:
        if fallback_date is not None:
            raise GIVE_UP  # "value has no value-date" is said by the Python reader
        return value, currency, fallback_date
    return value, currency, _date_of(raw_date)


cdef void _budget(Reading ctx, xmlNode* node, object act) except *:
    start = end = None
    cdef xmlNode* value_node = NULL
    cdef xmlNode* child = node.children
    while child is not NULL:
        if _is(child, b"period-start"):
            start = _date_of(_get(child, b"iso-date"))
        elif _is(child, b"period-end"):
            end = _date_of(_get(child, b"iso-date"))
        elif _is(child, b"value"):
            value_node = child
        child = child.next
    value, currency, value_date = _value(ctx, value_node, start)
    if value is None or start is None or end is None:
        raise GIVE_UP
    kind = _get(node, b"type")
    status = _get(node, b"status")
    if kind is not None and kind not in BUDGET_TYPES:
        raise GIVE_UP
    if status is not None and status not in BUDGET_STATUSES:
        raise GIVE_UP
    act.money.append(Money("budget", value, kind, currency, value_date, status, start, end))


cdef void _transaction(Reading ctx, xmlNode* node, object act) except *:
    raw_type = day = None
    cdef xmlNode* value_node = NULL
    cdef xmlNode* description = NULL
    cdef xmlNode* provider = NULL
    cdef xmlNode* receiver = NULL
    cdef xmlNode* child = node.children
    while child is not NULL:
        if _is(child, b"transaction-type"):
            raw_type = _get(child, b"code")
        elif _is(child, b"transaction-date"):
            day = _date_of(_get(child, b"iso-date"))
        elif _is(child, b"value"):
            value_node = child
        elif _is(child, b"description"):
            description = child
        elif _is(child, b"provider-org"):
            provider = child
        elif _is(child, b"receiver-org"):
            receiver = child
        child = child.next
    kind = (raw_type or "").strip()
    if kind not in TRANSACTION_TYPES:
        raise GIVE_UP
    value, currency, value_date = _value(ctx, value_node, day)
    if value is None or day is None:
        raise GIVE_UP
    act.money.append(
        Money(
            "transaction",
            value,
            kind,
            currency,
            value_date,
            None,
            None,
            None,
            day,
            _get(node, b"ref") or None,
            _narratives(ctx, description),
            _org(ctx, provider) if provider is not NULL else None,
            _org(ctx, receiver) if receiver is not NULL else None,
        )
    )


cdef object _code_or_none(xmlNode* node):
    return _stripped(node, b"code") or None


cdef void _location(Reading ctx, xmlNode* node, object act) except *:
    loc = Location(_stripped(node, b"ref") or None)
    cdef xmlNode* child = node.children
    while child is not NULL:
        if child.type != tree.XML_ELEMENT_NODE or child.ns is not NULL:
            pass
        elif _is(child, b"name"):
            loc.name = _narratives(ctx, child)
        elif _is(child, b"description"):
            loc.description = _narratives(ctx, child)
        elif _is(child, b"location-reach"):
            loc.reach = _code_or_none(child)
        elif _is(child, b"exactness"):
            loc.exactness = _code_or_none(child)
        elif _is(child, b"location-class"):
            loc.location_class = _code_or_none(child)
        elif _is(child, b"feature-designation"):
            loc.feature_designation = _code_or_none(child)
        elif _is(child, b"location-id"):
            loc.ids.append((_stripped(child, b"vocabulary"), _stripped(child, b"code")))
        elif _is(child, b"administrative"):
            level = _stripped(child, b"level")
            loc.administrative.append(
                (
                    _stripped(child, b"vocabulary"),
                    _stripped(child, b"code"),
                    whole_number(level),
                )
            )
        elif _is(child, b"point"):
            loc.point = _point(_text_of(_first(child, b"pos")))
        child = child.next
    if loc.reach is not None and loc.reach not in REACHES:
        raise GIVE_UP
    if loc.exactness is not None and loc.exactness not in EXACTNESS:
        raise GIVE_UP
    if loc.location_class is not None and loc.location_class not in LOCATION_CLASSES:
        raise GIVE_UP
    for vocabulary, _ in loc.ids:
        if vocabulary not in GEO_VOCABULARIES:
            raise GIVE_UP
    for vocabulary, _, _ in loc.administrative:
        if vocabulary not in GEO_VOCABULARIES:
            raise GIVE_UP
    act.locations.append(loc)


cdef tuple _point(str text):
    cdef list parts = text.split()
    if len(parts) < 2:
        raise GIVE_UP
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise GIVE_UP
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise GIVE_UP
    return (lat, lon)


cdef void _document(Reading ctx, xmlNode* node, object act) except *:
    url = _stripped(node, b"url")
    fmt = _stripped(node, b"format")
    cdef list categories = []
    cdef list languages = []
    cdef xmlNode* title = NULL
    cdef xmlNode* description = NULL
    cdef xmlNode* date_node = NULL
    cdef xmlNode* child = node.children
    while child is not NULL:
        if _is(child, b"category"):
            code = _stripped(child, b"code")
            if code:
                categories.append(code)
        elif _is(child, b"language"):
            code = _stripped(child, b"code")
            if code:
                if code.lower() not in LANGUAGES:
                    raise GIVE_UP
                languages.append(code)
        elif _is(child, b"title"):
            title = child
        elif _is(child, b"description"):
            description = child
        elif _is(child, b"document-date"):
            date_node = child
        child = child.next
    if not url or not fmt or not categories:
        raise GIVE_UP
    for code in categories:
        if code not in DOCUMENT_CATEGORIES:
            raise GIVE_UP
    act.documents.append(
        DocumentLink(
            url,
            fmt,
            _narratives(ctx, title),
            _narratives(ctx, description),
            categories,
            languages,
            _date_of(_get(date_node, b"iso-date")) if date_node is not NULL else None,
        )
    )


# ---------------------------------------------------------------- the activity


cdef object _org_key(object org):
    """``OrgRef.key`` for an organisation with a ref, without a Python call (the sort
    below needs one per participant; ``test_iati_native`` holds the two the same)."""
    ref = org.ref
    if ref:
        return ("iati:" + ref)[:120]
    return org.key()


cdef void _order(object act) except *:
    """``domain.iati.canonical_order``, compiled: an activity's participants are seldom in
    role order in a file, and sorting them was a tenth of the Python reading."""
    cdef list items = act.countries
    cdef Py_ssize_t i, n
    if len(items) > 1:
        items.sort(key=lambda share: share.country)
    items = act.sectors
    if len(items) > 1:
        items.sort(key=lambda share: (share.vocabulary, share.code))
    items = act.regions
    if len(items) > 1:
        items.sort(key=lambda share: (share.vocabulary, share.code))
    items = act.participants
    n = len(items)
    if n < 2:
        return
    roles = [ROLES_IN_ORDER[p.role] for p in items]
    for i in range(1, n):
        if roles[i] <= roles[i - 1]:
            break
    else:
        return
    decorated = sorted([(roles[i], _org_key(items[i].org), i) for i in range(n)])
    items[:] = [items[entry[2]] for entry in decorated]


def read_activity(cetree._Element el not None):
    """The activity of ``el`` in canonical order and whether a narrative took the fallback
    language, or None where anything about its elements would be reported (the Python
    readers then read it).

    What is said of the activity as a whole (no identifier, title or date, narratives
    read as English) is left to ``iati_parse``, which says it whichever path read it.
    """
    cdef xmlNode* node = el._c_node
    cdef xmlDoc* doc = node.doc
    if doc is NULL or doc.intSubset is not NULL or doc.extSubset is not NULL:
        return None
    cdef Reading ctx = Reading()
    cdef xmlNode* child = node.children
    cdef const char* name
    cdef char first
    try:
        lang = _lang(node)
        ctx.lang = lang.strip().lower() if lang else None
        raw = _get(node, b"default-currency")
        ctx.currency = _currency(raw) if raw else None
        ctx.fallback_used = False
        act = Activity("", language=ctx.lang, currency=ctx.currency)
        raw = _get(node, b"last-updated-datetime")
        if raw is not None:
            try:
                stamp = STAMP_FROM_ISO(raw.strip())
            except ValueError:
                raise GIVE_UP
            if stamp.tzinfo is None:
                stamp = stamp.replace(tzinfo=UTC)
            try:
                act.last_updated = stamp.astimezone(UTC)
            except OverflowError:
                raise GIVE_UP
        while child is not NULL:
            if child.type != tree.XML_ELEMENT_NODE or child.ns is not NULL:
                child = child.next
                continue
            name = <const char*>child.name
            first = name[0]
            if first == c'i':
                if strcmp(name, b"iati-identifier") == 0:
                    identifier = _text_of(child)
                    if _bad(identifier, False):
                        raise GIVE_UP
                    act.identifier = identifier
            elif first == c'r':
                if strcmp(name, b"reporting-org") == 0:
                    act.reporting_org = _org(ctx, child)
                elif strcmp(name, b"recipient-country") == 0:
                    _country(child, act)
                elif strcmp(name, b"recipient-region") == 0:
                    _region(ctx, child, act)
                elif strcmp(name, b"result") == 0:
                    read_result(ctx, child, act)
            elif first == c't':
                if strcmp(name, b"title") == 0:
                    title = act.title
                    for key, text in _narratives(ctx, child).items():
                        title.setdefault(key, text)
                elif strcmp(name, b"transaction") == 0:
                    _transaction(ctx, child, act)
            elif first == c'd':
                if strcmp(name, b"description") == 0:
                    _description(ctx, child, act)
                elif strcmp(name, b"document-link") == 0:
                    _document(ctx, child, act)
            elif first == c'p':
                if strcmp(name, b"participating-org") == 0:
                    _participating_org(ctx, child, act)
            elif first == c'a':
                if strcmp(name, b"activity-date") == 0:
                    _activity_date(child, act)
                elif strcmp(name, b"activity-status") == 0:
                    status = STATUSES.get(_stripped(child, b"code"))
                    if status is None:
                        raise GIVE_UP
                    act.status = status
            elif first == c's':
                if strcmp(name, b"sector") == 0:
                    _sector(ctx, child, act)
            elif first == c'b':
                if strcmp(name, b"budget") == 0:
                    _budget(ctx, child, act)
            elif first == c'l':
                if strcmp(name, b"location") == 0:
                    _location(ctx, child, act)
            child = child.next
        _order(act)
    except GiveUp:
        return None
    return act, ctx.fallback_used


# The elements the readers store, as ``iati_parse`` names them (READERS, RESULT_READ,
# INDICATOR_READ); ``tests/test_iati_unread.py`` checks that these lists are those.
cdef const char* TOP_NAMES[15]
TOP_NAMES[:] = [
    b"iati-identifier", b"reporting-org", b"title", b"description", b"participating-org",
    b"activity-status", b"activity-date", b"recipient-country", b"recipient-region",
    b"sector", b"budget", b"transaction", b"location", b"document-link", b"result",
]
cdef const char* RESULT_NAMES[3]
RESULT_NAMES[:] = [b"title", b"description", b"indicator"]
cdef const char* INDICATOR_NAMES[5]
INDICATOR_NAMES[:] = [b"title", b"description", b"reference", b"baseline", b"period"]
cdef const char* PERIOD_NAMES[4]
PERIOD_NAMES[:] = [b"period-start", b"period-end", b"target", b"actual"]
cdef const char* OBSERVED_NAMES[2]
OBSERVED_NAMES[:] = [b"comment", b"dimension"]
cdef const char* TRANSACTION_NAMES[6]
TRANSACTION_NAMES[:] = [
    b"transaction-type", b"transaction-date", b"value", b"description", b"provider-org",
    b"receiver-org",
]
cdef const char* LOCATION_NAMES[9]
LOCATION_NAMES[:] = [
    b"name", b"description", b"location-reach", b"exactness", b"location-class",
    b"feature-designation", b"location-id", b"administrative", b"point",
]


def read_names():
    """The lists above, for the test that keeps them those of ``iati_parse``."""
    return (
        frozenset(TOP_NAMES[i].decode() for i in range(15)),
        frozenset(RESULT_NAMES[i].decode() for i in range(3)),
        frozenset(INDICATOR_NAMES[i].decode() for i in range(5)),
        frozenset(PERIOD_NAMES[i].decode() for i in range(4)),
        frozenset(OBSERVED_NAMES[i].decode() for i in range(2)),
        frozenset(TRANSACTION_NAMES[i].decode() for i in range(6)),
        frozenset(LOCATION_NAMES[i].decode() for i in range(9)),
    )


cdef inline bint _listed(const char* name, const char** names, int n) noexcept:
    cdef int i
    for i in range(n):
        if names[i][0] == name[0] and strcmp(names[i], name) == 0:
            return True
    return False


DEF MOST = 64
KINDS_KEPT = 1000
"""Distinct names counted one by one; past them, all in ``OTHER_KINDS``."""
OTHER_KINDS = "*other*"


cdef class Unread:
    """What of a file's activities no reader stores, counted in C as the file is read
    (``iati_parse.count_unread``): each name once made into text, when first met."""

    cdef const char* names[MOST]
    cdef const char* places[MOST]
    cdef long counts[MOST]
    cdef int n
    cdef list kept  # the names' text, which ``names`` point into
    cdef dict others  # past MOST distinct names, counted by text
    cdef long qualitative

    def __cinit__(self):
        self.n = 0
        self.kept = []
        self.others = {}
        self.qualitative = 0

    cdef void add(self, const char* name, const char* place):
        cdef int i
        for i in range(self.n):
            if self.places[i] == place and (
                self.names[i] == name or strcmp(self.names[i], name) == 0
            ):
                self.counts[i] += 1
                return
        text = (<bytes>name)
        if self.n < MOST:
            self.kept.append(text)
            self.names[self.n] = <const char*>text
            self.places[self.n] = place
            self.counts[self.n] = 1
            self.n += 1
        else:
            key = (<bytes>place).decode() + text.decode("utf-8")
            if key in self.others or len(self.others) < KINDS_KEPT - MOST:
                self.others[key] = self.others.get(key, 0) + 1
            else:  # past so many kinds (a hostile file's millions of names): counted
                self.others[OTHER_KINDS] = self.others.get(OTHER_KINDS, 0) + 1

    cdef void scan(self, xmlNode* node, const char** names, int n, const char* place):
        cdef xmlNode* child = node.children
        while child is not NULL:
            if (
                child.type == tree.XML_ELEMENT_NODE
                and child.ns is NULL
                and not _listed(<const char*>child.name, names, n)
            ):
                self.add(<const char*>child.name, place)
            child = child.next

    cdef void observed(self, xmlNode* seen):
        """A period's target or actual: what it holds beyond its comment and dimensions,
        and whether it gives no value (a qualitative one)."""
        if _is(seen, b"target"):
            self.scan(seen, OBSERVED_NAMES, 2, b"result/indicator/period/target/")
        elif _is(seen, b"actual"):
            self.scan(seen, OBSERVED_NAMES, 2, b"result/indicator/period/actual/")
        else:
            return
        if _get(seen, b"value") is None:
            self.qualitative += 1

    def count(self, cetree._Element el not None):
        """Count what of ``el`` (an ``iati-activity``) no reader stores: its elements,
        those of its transactions, locations, results, their indicators, baselines,
        periods, targets and actuals outside the lists above (in no
        namespace: a publisher's own extensions are not IATI's), and its targets and
        actuals without a value (a qualitative one: its comment alone)."""
        cdef xmlNode* node = el._c_node
        cdef xmlNode* child = node.children
        cdef xmlNode* inner
        cdef xmlNode* period
        cdef xmlNode* seen
        self.scan(node, TOP_NAMES, 15, b"")
        while child is not NULL:
            if child.type != tree.XML_ELEMENT_NODE or child.ns is not NULL:
                pass
            elif _is(child, b"transaction"):
                self.scan(child, TRANSACTION_NAMES, 6, b"transaction/")
            elif _is(child, b"location"):
                self.scan(child, LOCATION_NAMES, 9, b"location/")
            elif _is(child, b"result"):
                self.scan(child, RESULT_NAMES, 3, b"result/")
                inner = child.children
                while inner is not NULL:
                    if inner.type == tree.XML_ELEMENT_NODE and _is(inner, b"indicator"):
                        self.scan(inner, INDICATOR_NAMES, 5, b"result/indicator/")
                        period = inner.children
                        while period is not NULL:
                            if period.type != tree.XML_ELEMENT_NODE:
                                pass
                            elif _is(period, b"baseline"):
                                self.scan(
                                    period, OBSERVED_NAMES, 2, b"result/indicator/baseline/"
                                )
                            elif _is(period, b"period"):
                                self.scan(period, PERIOD_NAMES, 4, b"result/indicator/period/")
                                seen = period.children
                                while seen is not NULL:
                                    if seen.type == tree.XML_ELEMENT_NODE:
                                        self.observed(seen)
                                    seen = seen.next
                            period = period.next
                    inner = inner.next
            child = child.next

    def as_dict(self):
        """The counts by ``place/name`` ("policy-marker", "result/document-link") and
        "qualitative"."""
        out = dict(self.others)
        cdef int i
        for i in range(self.n):
            key = (<bytes>self.places[i]).decode() + (<bytes>self.names[i]).decode("utf-8")
            out[key] = out.get(key, 0) + self.counts[i]
        if self.qualitative:
            out["qualitative"] = self.qualitative
        return out
