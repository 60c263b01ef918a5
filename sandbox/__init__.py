"""A local Slack workspace in the browser, with the real bot talking the real protocol to a stand-in for Slack.

`workspace` holds the state (people, conversations, messages, views, files, the clock); `webapi` answers the
Web API the bot calls; `slack_side` sends the bot signed requests as Slack does; `web` serves the page.
"""
