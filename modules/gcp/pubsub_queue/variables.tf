variable "name" {
  description = "Queue name: a Pub/Sub topic and its pull subscription."
  type        = string
}

variable "name_prefix" {
  description = "Start of the deployed name (<project>-<environment>-); the topic and subscription are <prefix><name>."
  type        = string
  default     = ""
}

variable "fifo" {
  description = "Deliver messages with the same ordering key in order."
  type        = bool
  default     = false
}

variable "visibility_timeout_seconds" {
  description = "Acknowledgement deadline: seconds before an unacknowledged message is delivered again (10-600)."
  type        = number
  default     = 30
}

variable "dead_letter" {
  description = "Move a message to a dead-letter topic after 5 failed deliveries."
  type        = bool
  default     = true
}

variable "topic_ids" {
  description = "The topic (id) the queue is subscribed to, if any: its subscription is created there and it has no topic of its own."
  # a list, not a nullable string: its length is known when planning, before the topic exists
  type    = list(string)
  default = []

  validation {
    condition     = length(var.topic_ids) <= 1
    error_message = "A Pub/Sub subscription has one topic: a queue can be fed by one topic at most."
  }
}

variable "project_id" {
  description = "Google Cloud project."
  type        = string
}

variable "region" {
  description = "Region of the resources."
  type        = string
}

variable "labels" {
  description = "Labels added to every resource that takes them."
  type        = map(string)
  default     = {}
}

variable "members" {
  description = "IAM members (serviceAccount:...) of the workloads that use this resource."
  type        = list(string)
  default     = []
}
