output "connection" {
  description = "What the application needs to reach the topic (no secrets)."
  value = {
    name = aws_sns_topic.this.name
    arn  = aws_sns_topic.this.arn
  }
}

output "policy_statements" {
  description = "IAM statements granting exactly publish on this topic."
  value = [
    {
      Effect   = "Allow"
      Action   = ["sns:Publish", "sns:GetTopicAttributes"]
      Resource = [aws_sns_topic.this.arn]
    },
  ]
}
