variable "name" {
  description = "Queue name (\".fifo\" is appended for a FIFO queue)."
  type        = string
}

variable "name_prefix" {
  description = "Start of the deployed name (<project>-<environment>-); the queue is <prefix><name>, the dead-letter queue <prefix><name>-dead-letter."
  type        = string
  default     = ""
}

variable "fifo" {
  description = "First-in-first-out delivery with deduplication."
  type        = bool
  default     = false
}

variable "visibility_timeout_seconds" {
  description = "How long a received message stays invisible before it is delivered again."
  type        = number
  default     = 30
}

variable "dead_letter" {
  description = "Move a message to a dead-letter queue after 5 failed receives."
  type        = bool
  default     = true
}

variable "publisher_topic_arns" {
  description = "SNS topics allowed to deliver to this queue (their subscriptions)."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
