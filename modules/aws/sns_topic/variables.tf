variable "name" {
  description = "Topic name."
  type        = string
}

variable "name_prefix" {
  description = "Start of the deployed name (<project>-<environment>-); the topic is <prefix><name>."
  type        = string
  default     = ""
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
