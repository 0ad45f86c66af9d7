output "connection" {
  description = "What the application needs to reach the queue (no secrets)."
  value = {
    name = aws_sqs_queue.this.name
    url  = aws_sqs_queue.this.url
    arn  = aws_sqs_queue.this.arn
    # null without dead_letter
    dead_letter_url = one(aws_sqs_queue.dead_letter[*].url)
  }
}

output "policy_statements" {
  description = "IAM statements granting exactly send, receive and delete on this queue and its dead-letter queue."
  # The adapters move a message to the dead-letter queue themselves (Message.dead_letter) and
  # read it like a queue, so the dead-letter queue needs the same actions.
  value = [
    {
      Effect = "Allow"
      Action = [
        "sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes", "sqs:GetQueueUrl",
      ]
      Resource = concat([aws_sqs_queue.this.arn], aws_sqs_queue.dead_letter[*].arn)
    },
  ]
}

output "environment" {
  description = "What infrar.messaging reads on AWS beyond the region (AWS_REGION, AWS_DEFAULT_REGION), deployed names included."
  # INFRAR_CREATE_MISSING=0: a deployed program never creates queues or topics (it has no rights to).
  # QUEUE_NAME_<QUEUE>: the deployed names, read by infrar.providers._names (the dead-letter queue
  # under its own program name, <queue>-dead-letter).
  value = merge({
    INFRAR_CREATE_MISSING                                           = "0"
    "QUEUE_NAME_${upper(replace(var.name, "/[^a-zA-Z0-9]/", "_"))}" = aws_sqs_queue.this.name
  }, { for q in aws_sqs_queue.dead_letter : "QUEUE_NAME_${upper(replace("${var.name}-dead-letter", "/[^a-zA-Z0-9]/", "_"))}" => q.name })
}
