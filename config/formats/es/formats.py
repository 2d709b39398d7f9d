"""Spanish as printed for US customers (es-US): Spanish dates ("7 de diciembre de 2026") with US
number conventions, so money reads $1,234.56 as on the English documents and the bill."""

DATE_FORMAT = r"j \d\e F \d\e Y"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
