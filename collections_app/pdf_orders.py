"""The crews' route sheet: dispatched orders grouped by crew and route, in address order, with
the meter, the service, what the customer can pay at the door, and boxes to tick."""

from django.utils import timezone

from collections_app.selectors.orders import route_sheet
from common.pdf import pdf_render


def route_sheet_pdf(*, crew: str = "") -> bytes:
    routes = route_sheet(crew=crew)
    return pdf_render(
        "collections_app/pdf/route_sheet.html",
        {
            "routes": routes,
            "crew": crew,
            "printed_at": timezone.localtime(),
            "stops": sum(len(r.stops) for r in routes),
        },
    )
