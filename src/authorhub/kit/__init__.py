"""Small helpers with no business rules: schemas, pagination, money, crypto, time, slugs."""
