"""The admin's calls into each domain's services, one module per domain.

Admin pages never reach into another domain's internals: they call these thin functions, so a
change of a service's name or signature is adapted here, in one place.
"""
