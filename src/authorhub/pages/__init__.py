"""Small server-rendered pages the service serves itself when no frontend is configured
(FRONTEND_URL unset): the links in emails and the payment return lead here."""
