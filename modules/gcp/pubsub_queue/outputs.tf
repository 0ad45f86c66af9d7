output "connection" {
  description = "The topic to send to and the subscription to receive from (no secrets)."
  value = {
    topic        = google_pubsub_topic.this.id
    subscription = google_pubsub_subscription.this.id
  }
}
