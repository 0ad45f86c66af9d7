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

variable "tls_only" {
  description = "Deny every request not made over TLS (bucket policy). Only a local emulator served over plain HTTP needs false."
  type        = bool
  default     = true
}

variable "force_destroy" {
  description = "Allow `destroy` to delete a bucket that still holds objects."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
