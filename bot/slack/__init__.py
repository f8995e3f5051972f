"""The Slack adapter: the Bolt app, its listeners, Block Kit builders and the chat port."""
