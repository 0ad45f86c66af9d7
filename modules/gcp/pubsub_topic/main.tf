# A Pub/Sub topic. The queues subscribed to it (project.yaml's subscriptions) create their own
# subscription on it (module pubsub_queue's topic_ids), so a message published here reaches each
# queue's receive_messages. Encrypted at rest by Google, TLS-only API; the workloads that use it
# may publish to it.

resource "google_pubsub_topic" "this" {
  #checkov:skip=CKV_GCP_83:Pub/Sub encrypts every message at rest with Google-managed keys; CMEK is an organisation choice
  name                       = local.physical
  project                    = var.project_id
  message_retention_duration = "604800s"
  labels                     = var.labels
}

# count, not for_each: the members' service accounts may not exist until applied; their number is known.
resource "google_pubsub_topic_iam_member" "publisher" {
  count   = length(var.members)
  project = var.project_id
  topic   = google_pubsub_topic.this.name
  role    = "roles/pubsub.publisher"
  member  = var.members[count.index]
}
