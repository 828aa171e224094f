"""Use-cases that span commerce and payments.

Commerce (cart, orders, coupons, library, and the sellable kinds) never imports payments;
payments settles and refunds orders through commerce's functions. What needs both, such as
"cancelling a paid order refunds it", lives here, above both, and nothing below imports it.
"""
