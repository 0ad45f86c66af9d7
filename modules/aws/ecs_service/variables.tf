variable "name" {
  description = "Service name."
  type        = string
}

variable "container_image" {
  description = "Container image to run."
  type        = string
}

variable "cpu" {
  description = "vCPUs per task (0.25, 0.5, 1, 2, 4, 8 or 16)."
  type        = number
  default     = 0.5
}

variable "memory" {
  description = "Memory per task in MiB (valid for the chosen cpu on Fargate)."
  type        = number
  default     = 1024
}

variable "min_instances" {
  description = "Fewest running tasks."
  type        = number
  default     = 1
}

variable "max_instances" {
  description = "Most running tasks (CPU target tracking scales between the two)."
  type        = number
  default     = 4
}

variable "port" {
  description = "Port the container listens on (load-balanced services)."
  type        = number
  default     = 8080
}

variable "health_check_path" {
  description = "Path the load balancer checks."
  type        = string
  default     = "/"
}

variable "env" {
  description = "Extra environment variables of the project (no secrets)."
  type        = map(string)
  default     = {}
}

variable "environment" {
  description = "Native configuration the infrar adapters read (AWS_REGION ...)."
  type        = map(string)
  default     = {}
}

variable "load_balanced" {
  description = "Put an HTTPS application load balancer in front (web and API services)."
  type        = bool
  default     = true
}

variable "schedule" {
  description = "Five-field cron (UTC) of a background worker: one task per tick; null: runs continuously as a service."
  type        = string
  default     = null
  validation {
    # EventBridge numbers the days of the week 1-7 from Sunday, cron 0-6: names mean the same to both.
    condition     = var.schedule == null || can(regex("^\\S+ \\S+ \\S+ \\S+ (\\*|[A-Za-z]{3}([,-][A-Za-z]{3})*)$", var.schedule))
    error_message = "schedule: write the day of week as * or by name (MON-FRI, SAT,SUN); EventBridge numbers days differently from cron."
  }
}

variable "egress_ports" {
  description = "TCP ports of the databases and caches it uses: the only ports it may open inside the VPC."
  type        = list(number)
  default     = []
}

variable "secret_environment" {
  description = "Variables whose values ECS reads from Secrets Manager at start: name -> secret ARN."
  type        = map(string)
  default     = {}
}

variable "secret_kms_key_arns" {
  description = "KMS keys encrypting the secrets of secret_environment (the execution role may decrypt with them)."
  type        = list(string)
  default     = []
}

variable "policy_statements" {
  description = "IAM statements of the resources this service uses: its task role gets exactly these."
  type = list(object({
    Effect   = string
    Action   = list(string)
    Resource = list(string)
  }))
  default = []
}

variable "vpc_id" {
  description = "VPC the service runs in."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets for the tasks."
  type        = list(string)
}

variable "public_subnet_ids" {
  description = "Public subnets for the load balancer."
  type        = list(string)
  default     = []
}

variable "certificate_arn" {
  description = "ACM certificate of the load balancer's HTTPS listener."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "name_prefix" {
  description = "Prefix of account-wide names (infrar passes \"<project_name>-\")."
  type        = string
  default     = ""
}
