"""k8sq: a Slack bot that gets an ops team ready for Kubernetes interviews."""
