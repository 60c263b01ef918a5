class Refused(Exception):
    """The person may not do this, or it can't be done now; the message (safe mrkdwn) tells them why."""
