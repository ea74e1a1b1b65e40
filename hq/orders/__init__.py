"""Head office's order management: channels, intake, review, brokering, reservations, cancellation.

The rules themselves are pure and live in `models/oms/`; the modules here hold head office's
tables and run those rules inside one transaction each (validate, write, record the timeline).
"""
