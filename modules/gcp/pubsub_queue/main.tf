# A queue on Pub/Sub: a topic to send to and one pull subscription to receive from, with an
# optional dead-letter topic. Encrypted at rest by Google, TLS-only API; the workloads that
# use it may publish to the topic and consume the subscription, nothing else.

data "google_project" "this" {
  project_id = var.project_id
}

locals {
  pubsub_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

resource "google_pubsub_topic" "this" {
  #checkov:skip=CKV_GCP_83:Pub/Sub encrypts every message at rest with Google-managed keys; CMEK is an organisation choice
  name                       = var.name
  project                    = var.project_id
  message_retention_duration = "604800s"
  labels                     = var.labels
}

resource "google_pubsub_topic" "dead_letter" {
  #checkov:skip=CKV_GCP_83:Pub/Sub encrypts every message at rest with Google-managed keys; CMEK is an organisation choice
  count   = var.dead_letter ? 1 : 0
  name    = "${var.name}-dead-letter"
  project = var.project_id
  labels  = var.labels
}

resource "google_pubsub_subscription" "dead_letter" {
  count                      = var.dead_letter ? 1 : 0
  name                       = "${var.name}-dead-letter"
  project                    = var.project_id
  topic                      = google_pubsub_topic.dead_letter[0].id
  message_retention_duration = "604800s"
  labels                     = var.labels
}

resource "google_pubsub_subscription" "this" {
  name                         = var.name
  project                      = var.project_id
  topic                        = google_pubsub_topic.this.id
  ack_deadline_seconds         = var.visibility_timeout_seconds
  enable_message_ordering      = var.fifo
  enable_exactly_once_delivery = var.fifo
  message_retention_duration   = "604800s"
  labels                       = var.labels

  dynamic "dead_letter_policy" {
    for_each = var.dead_letter ? [1] : []
    content {
      dead_letter_topic     = google_pubsub_topic.dead_letter[0].id
      max_delivery_attempts = 5
    }
  }
}

# Pub/Sub's service agent moves failed messages to the dead-letter topic.
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  count   = var.dead_letter ? 1 : 0
  project = var.project_id
  topic   = google_pubsub_topic.dead_letter[0].name
  role    = "roles/pubsub.publisher"
  member  = local.pubsub_agent
}

resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber" {
  count        = var.dead_letter ? 1 : 0
  project      = var.project_id
  subscription = google_pubsub_subscription.this.name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}

resource "google_pubsub_topic_iam_member" "publisher" {
  for_each = toset(var.members)
  project  = var.project_id
  topic    = google_pubsub_topic.this.name
  role     = "roles/pubsub.publisher"
  member   = each.value
}

resource "google_pubsub_subscription_iam_member" "subscriber" {
  for_each     = toset(var.members)
  project      = var.project_id
  subscription = google_pubsub_subscription.this.name
  role         = "roles/pubsub.subscriber"
  member       = each.value
}
