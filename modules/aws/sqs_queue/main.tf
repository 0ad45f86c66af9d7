# One SQS queue and its dead-letter queue "<name>-dead-letter" (the name the infrar adapters
# read dead letters from), redriven after 5 receives (the adapters' max deliveries):
# encrypted at rest, TLS-only, and open to the SNS topics that fan out to it.

locals {
  suffix = var.fifo ? ".fifo" : ""
}

resource "aws_sqs_queue" "dead_letter" {
  count                     = var.dead_letter ? 1 : 0
  name                      = "${local.physical}-dead-letter${local.suffix}"
  fifo_queue                = var.fifo
  sqs_managed_sse_enabled   = true
  message_retention_seconds = 1209600
  tags                      = var.tags
}

resource "aws_sqs_queue" "this" {
  name                        = "${local.physical}${local.suffix}"
  fifo_queue                  = var.fifo
  content_based_deduplication = var.fifo
  visibility_timeout_seconds  = var.visibility_timeout_seconds
  sqs_managed_sse_enabled     = true
  redrive_policy = var.dead_letter ? jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letter[0].arn
    maxReceiveCount     = 5
  }) : null
  tags = var.tags
}

resource "aws_sqs_queue_policy" "this" {
  queue_url = aws_sqs_queue.this.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [{
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "sqs:*"
        Resource  = aws_sqs_queue.this.arn
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      }],
      [for arn in var.publisher_topic_arns : {
        Sid       = "AllowTopic${md5(arn)}"
        Effect    = "Allow"
        Principal = { Service = "sns.amazonaws.com" }
        Action    = "sqs:SendMessage"
        Resource  = aws_sqs_queue.this.arn
        Condition = { ArnEquals = { "aws:SourceArn" = arn } }
      }],
    )
  })
}

resource "aws_sqs_queue_policy" "dead_letter" {
  count     = var.dead_letter ? 1 : 0
  queue_url = aws_sqs_queue.dead_letter[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "sqs:*"
      Resource  = aws_sqs_queue.dead_letter[0].arn
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
}
