output "connection" {
  description = "The topic (no secrets); each subscribed queue's subscription is in the queue's connection."
  value = {
    topic = google_pubsub_topic.this.id
  }
}

output "environment" {
  description = "What infrar.messaging reads on GCP beyond GOOGLE_CLOUD_PROJECT."
  # INFRAR_CREATE_MISSING=0: a deployed program never creates topics or subscriptions (it has no rights to).
  # TOPIC_NAME_<TOPIC>: the deployed name, read by infrar.providers._names.
  value = {
    INFRAR_CREATE_MISSING                                           = "0"
    "TOPIC_NAME_${upper(replace(var.name, "/[^a-zA-Z0-9]/", "_"))}" = google_pubsub_topic.this.name
  }
}
