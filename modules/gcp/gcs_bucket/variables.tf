variable "name" {
  description = "Bucket name: the name the application passes to infrar.storage."
  type        = string
}

variable "name_prefix" {
  description = "Start of the deployed name (<project>-<environment>-); the bucket is <prefix><name>-<hash>."
  type        = string
  default     = ""
}

variable "versioning" {
  description = "Keep every version of every object."
  type        = bool
  default     = true
}

variable "expire_days" {
  description = "Delete objects this many days after they are written (null: keep them)."
  type        = number
  default     = null
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
