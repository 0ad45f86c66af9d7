# What infrar.data.run_job needs on AWS: a role Glue Python-shell jobs run as, a role EventBridge
# Scheduler assumes to start them, and the scripts prefix of the warehouse bucket. Job names are
# chosen by the program at run time, so job grants cover this account's Glue jobs in this region.

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  account   = data.aws_caller_identity.current.account_id
  glue_jobs = "arn:${data.aws_partition.current.partition}:glue:${data.aws_region.current.name}:${local.account}:job/*"
  schedules = "arn:${data.aws_partition.current.partition}:scheduler:${data.aws_region.current.name}:${local.account}:schedule/default/*"
  glue_logs = "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${local.account}:log-group:/aws-glue/*"
  role_stem = substr(replace(var.name, "_", "-"), 0, 24)
  catalog_statements = [
    {
      Effect = "Allow"
      Action = [
        "glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartition",
        "glue:GetPartitions", "glue:CreateTable", "glue:UpdateTable", "glue:DeleteTable",
      ]
      Resource = [
        # arn:aws:glue:REGION:ACCOUNT:database/NAME -> arn:aws:glue:REGION:ACCOUNT:catalog (a regex replace,
        # so nothing of the database name is left behind).
        replace(aws_glue_catalog_database.this.arn, "/:database/.*$/", ":catalog"),
        aws_glue_catalog_database.this.arn,
        "${replace(aws_glue_catalog_database.this.arn, ":database/", ":table/")}/*",
      ]
    },
  ]
  query_statements = [
    {
      Effect = "Allow"
      Action = [
        "athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults",
        "athena:StopQueryExecution", "athena:GetWorkGroup",
      ]
      Resource = [aws_athena_workgroup.this.arn]
    },
  ]
}

# The identity of the jobs: the warehouse's data, catalog and queries, its own logs, and whatever
# else the workloads that start jobs reach (job_policy_statements, wired by infrar infra).
resource "aws_iam_role" "glue_job" {
  name_prefix = "${local.role_stem}-glue-"
  description = "Glue jobs of infrar warehouse ${var.name}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "glue.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = local.account } }
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy" "glue_job" {
  name = "infrar-warehouse-job"
  role = aws_iam_role.glue_job.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(module.data.policy_statements, local.catalog_statements, local.query_statements, [
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = [local.glue_logs, "${local.glue_logs}:*"]
      },
    ], local.network_statements, var.job_policy_statements)
  })
}

# The identity EventBridge Scheduler starts scheduled runs as: StartJobRun and nothing else.
resource "aws_iam_role" "scheduler" {
  name_prefix = "${local.role_stem}-sched-"
  description = "EventBridge Scheduler starting the Glue jobs of infrar warehouse ${var.name}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "scheduler.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = local.account } }
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy" "scheduler" {
  name = "infrar-start-glue-jobs"
  role = aws_iam_role.scheduler.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["glue:StartJobRun"], Resource = [local.glue_jobs] }]
  })
}
