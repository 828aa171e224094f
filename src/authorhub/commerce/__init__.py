"""What commerce (cart, orders, coupons, library) shares: the sellable-item port."""
