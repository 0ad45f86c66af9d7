# A queue on Pub/Sub as the infrar adapters read it: a topic <name> to send to and a pull
# subscription <name> to receive from (ack deadline visibility_timeout_seconds, 30 s by default:
# the adapters' lease), with a dead-letter policy (5 delivery attempts, the adapters' max
# deliveries) to the topic <name>-dead-letter, whose subscription of the same name keeps the dead
# letters to be read like a queue. A queue fed by a topic (topic_ids) has no topic of its own: its
# subscription is on that topic, since Pub/Sub cannot forward from topic to topic; messages are
# then published to the topic. Encrypted at rest by Google, TLS-only API; the workloads that use
# it may publish to its topics and consume its subscriptions, nothing else.

data "google_project" "this" {
  project_id = var.project_id
}

locals {
  pubsub_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
  own_topic    = length(var.topic_ids) == 0
}

resource "google_pubsub_topic" "this" {
  #checkov:skip=CKV_GCP_83:Pub/Sub encrypts every message at rest with Google-managed keys; CMEK is an organisation choice
  count                      = local.own_topic ? 1 : 0
  name                       = local.physical
  project                    = var.project_id
  message_retention_duration = "604800s"
  labels                     = var.labels
}

resource "google_pubsub_topic" "dead_letter" {
  #checkov:skip=CKV_GCP_83:Pub/Sub encrypts every message at rest with Google-managed keys; CMEK is an organisation choice
  count   = var.dead_letter ? 1 : 0
  name    = "${local.physical}-dead-letter"
  project = var.project_id
  labels  = var.labels
}

resource "google_pubsub_subscription" "dead_letter" {
  count                      = var.dead_letter ? 1 : 0
  name                       = "${local.physical}-dead-letter"
  project                    = var.project_id
  topic                      = google_pubsub_topic.dead_letter[0].id
  ack_deadline_seconds       = 30
  message_retention_duration = "604800s"
  labels                     = var.labels
}

resource "google_pubsub_subscription" "this" {
  name                         = local.physical
  project                      = var.project_id
  topic                        = local.own_topic ? google_pubsub_topic.this[0].id : var.topic_ids[0]
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

# Pub/Sub's service agent moves failed messages to the dead-letter topic: it publishes there and
# acknowledges them on the source subscription.
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

locals {
  # what the workloads publish to (the adapters dead-letter a message themselves on
  # Message.dead_letter) and consume (the queue, and its dead letters)
  topics        = concat(google_pubsub_topic.this[*].name, google_pubsub_topic.dead_letter[*].name)
  subscriptions = concat([google_pubsub_subscription.this.name], google_pubsub_subscription.dead_letter[*].name)
}

# count, not for_each: the members' service accounts may not exist until applied; their number is known.
resource "google_pubsub_topic_iam_member" "publisher" {
  count   = length(var.members) * length(local.topics)
  project = var.project_id
  topic   = local.topics[count.index % length(local.topics)]
  role    = "roles/pubsub.publisher"
  member  = var.members[floor(count.index / length(local.topics))]
}

resource "google_pubsub_subscription_iam_member" "subscriber" {
  count        = length(var.members) * length(local.subscriptions)
  project      = var.project_id
  subscription = local.subscriptions[count.index % length(local.subscriptions)]
  role         = "roles/pubsub.subscriber"
  member       = var.members[floor(count.index / length(local.subscriptions))]
}

# roles/pubsub.subscriber has no pubsub.subscriptions.get, which subscribe(topic, subscription=<name>)
# calls to check the subscription is the topic's: viewer on this subscription only.
resource "google_pubsub_subscription_iam_member" "viewer" {
  count        = length(var.members)
  project      = var.project_id
  subscription = google_pubsub_subscription.this.name
  role         = "roles/pubsub.viewer"
  member       = var.members[count.index]
}
