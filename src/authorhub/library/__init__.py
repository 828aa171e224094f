"""A reader's library: ebooks bought or claimed free, and short-lived signed download links."""
