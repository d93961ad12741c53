"""What the client area, the desk and the API share, below all three: the attachments form
field and the access-checked file response. No rules: those stay in the domain apps."""
