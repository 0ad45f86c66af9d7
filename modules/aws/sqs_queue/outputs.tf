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
  description = "What infrar.messaging reads on AWS beyond the region (AWS_REGION, AWS_DEFAULT_REGION)."
  # INFRAR_CREATE_MISSING=0: a deployed program never creates queues or topics (it has no rights to).
  value = {
    INFRAR_CREATE_MISSING = "0"
  }
}
