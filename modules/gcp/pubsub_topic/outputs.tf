output "connection" {
  description = "The topic and its subscriptions by consumer name (no secrets)."
  value = {
    topic         = google_pubsub_topic.this.id
    subscriptions = join(",", [for name in sort(var.subscriptions) : google_pubsub_subscription.this[name].id])
  }
}
