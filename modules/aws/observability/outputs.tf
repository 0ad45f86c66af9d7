output "connection" {
  description = "Where the telemetry goes: the log group (name and ARN) and the metrics namespace."
  value = {
    log_group         = aws_cloudwatch_log_group.this.name
    log_group_arn     = aws_cloudwatch_log_group.this.arn
    metrics_namespace = var.namespace
  }
}

output "environment" {
  description = "INFRAR_LOG_GROUP and INFRAR_METRICS_NAMESPACE, the variables the observability adapter reads."
  value = {
    INFRAR_LOG_GROUP         = aws_cloudwatch_log_group.this.name
    INFRAR_METRICS_NAMESPACE = var.namespace
  }
}

output "policy_statements" {
  description = "IAM statements the workloads need to send logs to this group, metrics to this namespace and X-Ray segments."
  value = [
    {
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = ["${aws_cloudwatch_log_group.this.arn}:*"]
    },
    {
      # PutMetricData has no resource: the namespace condition is what narrows it
      Effect    = "Allow"
      Action    = ["cloudwatch:PutMetricData"]
      Resource  = ["*"]
      Condition = { StringEquals = { "cloudwatch:namespace" = var.namespace } }
    },
    {
      # PutTraceSegments supports no resource-level permission (the adapter sends no telemetry records)
      Effect   = "Allow"
      Action   = ["xray:PutTraceSegments"]
      Resource = ["*"]
    },
  ]
}
