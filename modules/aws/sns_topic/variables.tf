variable "name" {
  description = "Topic name."
  type        = string
}

variable "subscriber_queue_arns" {
  description = "SQS queues (name -> ARN) subscribed to the topic; raw message delivery."
  type        = map(string)
  default     = {}
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
