"""Email: `send_mail` renders a template, stores the message and queues its sending."""
