variable "name" {
  description = "Topic name."
  type        = string
}

variable "name_prefix" {
  description = "Start of the deployed name (<project>-<environment>-); the topic is <prefix><name>."
  type        = string
  default     = ""
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
