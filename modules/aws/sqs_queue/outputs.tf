output "connection" {
  description = "What the application needs to reach the queue (no secrets)."
  value = {
    name = aws_sqs_queue.this.name
    url  = aws_sqs_queue.this.url
    arn  = aws_sqs_queue.this.arn
  }
}

output "policy_statements" {
  description = "IAM statements granting exactly send, receive and delete on this queue."
  value = [
    {
      Effect = "Allow"
      Action = [
        "sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes", "sqs:GetQueueUrl",
      ]
      Resource = [aws_sqs_queue.this.arn]
    },
  ]
}
