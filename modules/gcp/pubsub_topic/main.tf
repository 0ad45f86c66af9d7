# A Pub/Sub topic with one pull subscription per consumer. Encrypted at rest by Google,
# TLS-only API; the workloads that use it may publish and consume its subscriptions.

resource "google_pubsub_topic" "this" {
  #checkov:skip=CKV_GCP_83:Pub/Sub encrypts every message at rest with Google-managed keys; CMEK is an organisation choice
  name                       = var.name
  project                    = var.project_id
  message_retention_duration = "604800s"
  labels                     = var.labels
}

resource "google_pubsub_subscription" "this" {
  for_each                   = toset(var.subscriptions)
  name                       = "${var.name}-${each.value}"
  project                    = var.project_id
  topic                      = google_pubsub_topic.this.id
  message_retention_duration = "604800s"
  labels                     = var.labels
}

resource "google_pubsub_topic_iam_member" "publisher" {
  for_each = toset(var.members)
  project  = var.project_id
  topic    = google_pubsub_topic.this.name
  role     = "roles/pubsub.publisher"
  member   = each.value
}

resource "google_pubsub_subscription_iam_member" "subscriber" {
  for_each     = { for pair in setproduct(var.subscriptions, var.members) : "${pair[0]} ${pair[1]}" => pair }
  project      = var.project_id
  subscription = google_pubsub_subscription.this[each.value[0]].name
  role         = "roles/pubsub.subscriber"
  member       = each.value[1]
}
