"""Uploaded files: the Storage protocol and its backends (local disk, ImageKit), the checks
every upload passes (real images re-encoded, real PDF/EPUB ebooks), and the upload endpoint."""
