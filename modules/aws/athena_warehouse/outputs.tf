output "connection" {
  description = "The Glue database, Athena workgroup and data bucket (no secrets)."
  value = {
    database  = aws_glue_catalog_database.this.name
    workgroup = aws_athena_workgroup.this.name
    bucket    = module.data.connection.name
  }
}

output "policy_statements" {
  description = "IAM statements granting exactly: query in this workgroup, this catalog, its bucket, and define, run and schedule Glue jobs as the job role."
  value = concat(module.data.policy_statements, local.catalog_statements, local.query_statements, [
    {
      Effect = "Allow"
      Action = [
        "glue:GetJob", "glue:CreateJob", "glue:UpdateJob", "glue:StartJobRun", "glue:GetJobRun",
        "glue:BatchStopJobRun",
      ]
      Resource = [local.glue_jobs]
    },
    {
      Effect   = "Allow"
      Action   = ["scheduler:GetSchedule", "scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule"]
      Resource = [local.schedules]
    },
    {
      # the two roles only: Glue and the scheduler trust nobody else to assume them
      Effect   = "Allow"
      Action   = ["iam:PassRole"]
      Resource = [aws_iam_role.glue_job.arn, aws_iam_role.scheduler.arn]
    },
  ])
}

output "environment" {
  description = "What the aws data adapter reads: the workgroup, its result location, the job and scheduler roles and the jobs' Glue connection (empty outside the VPC; no secrets)."
  value = {
    ATHENA_WORKGROUP       = aws_athena_workgroup.this.name
    ATHENA_OUTPUT_LOCATION = "s3://${module.data.connection.name}/results/"
    GLUE_JOB_ROLE_ARN      = aws_iam_role.glue_job.arn
    GLUE_SCRIPTS           = "s3://${module.data.connection.name}/scripts/"
    GLUE_PYTHON_MODULES    = var.job_python_modules
    SCHEDULER_ROLE_ARN     = aws_iam_role.scheduler.arn
    GLUE_CONNECTIONS       = local.networked ? aws_glue_connection.jobs[0].name : ""
  }
}

output "job_security_group_id" {
  description = "Security group of the Glue jobs' network interfaces (null outside the VPC): the private databases and caches their starters reach admit it."
  value       = local.networked ? aws_security_group.jobs[0].id : null
}
