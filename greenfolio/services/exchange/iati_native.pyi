"""Types of the compiled IATI reader (``iati_native.pyx``)."""

from lxml import etree

from greenfolio.domain.iati import Activity

def read_activity(el: etree._Element) -> tuple[Activity, bool] | None: ...
def count_unread(
    el: etree._Element,
    top: frozenset[str],
    result: frozenset[str],
    indicator: frozenset[str],
    counts: dict[str, int],
) -> None: ...
