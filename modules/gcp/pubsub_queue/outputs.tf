output "connection" {
  description = "The topic to send to and the subscription to receive from (no secrets)."
  value = {
    topic        = local.own_topic ? google_pubsub_topic.this[0].id : var.topic_ids[0]
    subscription = google_pubsub_subscription.this.id
    # null without dead_letter
    dead_letter = one(google_pubsub_subscription.dead_letter[*].id)
  }
}

output "environment" {
  description = "What infrar.messaging reads on GCP beyond GOOGLE_CLOUD_PROJECT."
  # INFRAR_CREATE_MISSING=0: a deployed program never creates topics or subscriptions (it has no rights to).
  # QUEUE_NAME_<QUEUE>: the deployed names (topic and subscription alike), read by
  # infrar.providers._names (the dead letters under their own program name, <queue>-dead-letter).
  value = merge({
    INFRAR_CREATE_MISSING                                           = "0"
    "QUEUE_NAME_${upper(replace(var.name, "/[^a-zA-Z0-9]/", "_"))}" = google_pubsub_subscription.this.name
  }, { for s in google_pubsub_subscription.dead_letter : "QUEUE_NAME_${upper(replace("${var.name}-dead-letter", "/[^a-zA-Z0-9]/", "_"))}" => s.name })
}
