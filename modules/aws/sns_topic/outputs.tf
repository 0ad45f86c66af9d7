output "connection" {
  description = "What the application needs to reach the topic (no secrets)."
  value = {
    name = aws_sns_topic.this.name
    arn  = aws_sns_topic.this.arn
  }
}

output "policy_statements" {
  description = "IAM statements granting exactly publish on this topic, and checking its subscriptions."
  # subscribe(topic, subscription=queue) checks the queue is subscribed (ListSubscriptionsByTopic).
  value = [
    {
      Effect   = "Allow"
      Action   = ["sns:Publish", "sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic"]
      Resource = [aws_sns_topic.this.arn]
    },
  ]
}

output "environment" {
  description = "What infrar.messaging reads on AWS beyond the region (AWS_REGION, AWS_DEFAULT_REGION)."
  # INFRAR_CREATE_MISSING=0: a deployed program never creates queues or topics (it has no rights to).
  # TOPIC_NAME_<TOPIC>: the deployed name, read by infrar.providers._names.
  value = {
    INFRAR_CREATE_MISSING                                           = "0"
    "TOPIC_NAME_${upper(replace(var.name, "/[^a-zA-Z0-9]/", "_"))}" = aws_sns_topic.this.name
  }
}
