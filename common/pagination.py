from rest_framework.pagination import CursorPagination


class NewestFirstCursorPagination(CursorPagination):
    """Keyset pagination on the primary key: constant cost on any page of a large table."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 500
