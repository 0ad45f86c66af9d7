# Where infrar.observability sends telemetry on AWS: one CloudWatch Logs group for the project
# (retention, encrypted with its own KMS key), CloudWatch metrics in the project's namespace and
# X-Ray traces. The workloads get INFRAR_LOG_GROUP / INFRAR_METRICS_NAMESPACE (environment) and
# the IAM statements to write there (policy_statements); nothing else.
# On ECS the adapter writes records to stdout, which the awslogs driver ships to the service's
# own log group; this group receives what runs elsewhere (EKS pods, a developer's machine).

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  # infrar.providers.aws.observability_export.log_group: the characters a group name refuses become "-"
  # The deployment's own group, /infrar/<project>-<environment> (INFRAR_LOG_GROUP names it to the adapter).
  log_group = "/infrar/${replace(var.name_prefix == "" ? var.namespace : trimsuffix(var.name_prefix, "-"), "/[^A-Za-z0-9._/#-]/", "-")}"
  # who writes here, for whoever reads the log group (a tag value holds 256 characters)
  store_tags = merge(var.tags, { "infrar-services" = substr(join(" ", var.services), 0, 256) })
}

resource "aws_kms_key" "logs" {
  description             = "Encrypts the telemetry log group ${local.log_group}"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministers"
        Effect    = "Allow"
        Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchLogsEncrypt"
        Effect    = "Allow"
        Principal = { Service = "logs.${data.aws_region.current.name}.amazonaws.com" }
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = {
          ArnLike = {
            "kms:EncryptionContext:aws:logs:arn" = "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:${local.log_group}"
          }
        }
      },
    ]
  })
  tags = var.tags
}

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:Retention is the project's choice (observability.retention_days, priced by infrar cost); 365 is allowed
  name              = local.log_group
  retention_in_days = var.retention_days
  kms_key_id        = aws_kms_key.logs.arn
  tags              = local.store_tags
}
