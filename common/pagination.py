from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination


class NewestFirstCursorPagination(CursorPagination):
    """Keyset pagination on the primary key: constant cost on any page of a large table."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):  # type: ignore[no-untyped-def]
        """DRF ignores a page_size it cannot read (`false`, `0`, empty) and answers the default:
        the caller never learns its parameter was wrong. Refuse it by name instead; a size over
        the maximum is still capped (documented)."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return min(int(raw), self.max_page_size)
