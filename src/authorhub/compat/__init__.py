"""The original Next.js frontend's contract, translated to calls of our services.

Everything the original pages send that our own API does not take (NextAuth's endpoints, the
`{bookId, format}` order body, `/api/payment/initialize`, naira decimal strings, ...) is read
and answered here, and only here. The rules (which client gets which shape, how CSRF works for
cookie requests without an X-CSRF-Token) are in docs/compat.md.
"""
