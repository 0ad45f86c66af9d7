variable "name" {
  description = "Topic name."
  type        = string
}

variable "subscriptions" {
  description = "Names of pull subscriptions to create on the topic (one per consumer)."
  type        = list(string)
  default     = []
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
