variable "name" {
  description = "Database name (also names the instance)."
  type        = string
}

variable "name_prefix" {
  description = "Start of the deployed names (<project>-<environment>-)."
  type        = string
  default     = ""
}

variable "size" {
  description = "small, medium, large or xlarge (mapped to an instance class)."
  type        = string
  default     = "small"
}

variable "storage_gb" {
  description = "Allocated storage in GiB."
  type        = number
  default     = 20
}

variable "high_availability" {
  description = "Run a standby in a second availability zone."
  type        = bool
  default     = true
}

variable "backup_retention_days" {
  description = "Days of automated backups kept."
  type        = number
  default     = 7
}

variable "engine_version" {
  description = "PostgreSQL major version."
  type        = string
  default     = "16"
}

variable "vpc_id" {
  description = "VPC the database lives in."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets (two availability zones at least) for the database."
  type        = list(string)
}

variable "client_security_group_ids" {
  description = "Security groups of the workloads allowed to connect (port 5432)."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "client_roles" {
  description = "Names of the workloads that use the database: each gets a database role of that name (see grant_sql)."
  type        = list(string)
  default     = []
}
