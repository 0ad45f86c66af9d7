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
  description = "What the aws data adapter reads: the workgroup, its result location, and the job and scheduler roles (no secrets)."
  value = {
    ATHENA_WORKGROUP       = aws_athena_workgroup.this.name
    ATHENA_OUTPUT_LOCATION = "s3://${module.data.connection.name}/results/"
    GLUE_JOB_ROLE_ARN      = aws_iam_role.glue_job.arn
    GLUE_SCRIPTS           = "s3://${module.data.connection.name}/scripts/"
    GLUE_PYTHON_MODULES    = var.job_python_modules
    SCHEDULER_ROLE_ARN     = aws_iam_role.scheduler.arn
  }
}
